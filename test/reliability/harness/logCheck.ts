import { openCheckpoint } from '../../../src/ledger/checkpoint.ts';
import { verifyConsistency } from '../../../src/ledger/merkle.ts';
import { getJson, getText } from './http.ts';

/**
 * What an outside auditor holds of the log: every checkpoint it was served (size → root) and the
 * anchors it saw. After a crash the restarted log must still be consistent with all of them.
 */
export interface SeenRoot {
  size: number;
  root: string; // base64
}

export class LogWitness {
  /** size → root (base64), from checkpoints and anchors. */
  readonly roots = new Map<number, string>();
  /** Anchors seen (tree size → root), and the largest. */
  readonly anchored = new Map<number, string>();
  checkpointsSeen = 0;
  private verifierKey: string | undefined;

  constructor(private readonly origin: string) {}

  private record(size: number, root: string, from: string): void {
    const known = this.roots.get(size);
    if (known !== undefined && known !== root)
      throw new Error(`two different roots published for size ${size} (${from}): ${known} vs ${root}`);
    this.roots.set(size, root);
  }

  /** Fetches and checks (signature, origin) the latest checkpoint; returns its size and root. */
  async observeCheckpoint(url: string): Promise<SeenRoot> {
    this.verifierKey ??= await getText(url, '/v1/log/verifier-key');
    const note = await getText(url, '/v1/log/checkpoint');
    const { checkpoint } = openCheckpoint(note, this.verifierKey.trim(), { origin: this.origin });
    const seen = { size: checkpoint.size, root: Buffer.from(checkpoint.root).toString('base64') };
    if (seen.size > 0) this.record(seen.size, seen.root, 'checkpoint');
    this.checkpointsSeen++;
    return seen;
  }

  async observeAnchors(url: string): Promise<void> {
    // Every anchor, page by page (GET /v1/log/anchors gives at most 1000 per call).
    for (let from = 0; ;) {
      const anchors = await getJson<{ treeSize: number; root: string; status: string }[]>(
        url,
        undefined,
        `/v1/log/anchors?fromTreeSize=${from}&limit=1000`,
      );
      for (const a of anchors) {
        if (a.status === 'failed') continue;
        this.anchored.set(a.treeSize, a.root);
        this.record(a.treeSize, a.root, `anchor ${a.status}`);
      }
      if (anchors.length < 1000) return;
      from = anchors.at(-1)!.treeSize + 1;
    }
  }

  get lastAnchoredSize(): number | undefined {
    return this.anchored.size > 0 ? Math.max(...this.anchored.keys()) : undefined;
  }

  /**
   * The restarted log: its checkpoint must be signed, no smaller than anything published, and a
   * consistency proof from every published size (the last anchored one included) must verify.
   * Returns how many proofs were checked.
   */
  async checkAfterRestart(url: string): Promise<{ size: number; proofs: number }> {
    const previous = [...this.roots.entries()];
    const now = await this.observeCheckpoint(url);
    const newRoot = Buffer.from(now.root, 'base64');
    let proofs = 0;
    for (const [size, root] of previous) {
      if (size > now.size)
        throw new Error(`the log shrank: checkpoint of size ${size} was published, now ${now.size}`);
      const p = await getJson<{ path: string[] }>(
        url,
        undefined,
        `/v1/log/proof/consistency?first=${size}&second=${now.size}`,
      );
      const ok = verifyConsistency(
        size,
        now.size,
        Buffer.from(root, 'base64'),
        newRoot,
        p.path.map((h) => Buffer.from(h, 'base64')),
      );
      if (!ok) throw new Error(`no valid consistency proof from published size ${size} to ${now.size}`);
      proofs++;
    }
    // Nothing anchored is forgotten: every anchor seen before is still listed, with the same root.
    const before = new Map(this.anchored);
    await this.observeAnchors(url);
    for (const [size, root] of before) {
      if (this.anchored.get(size) !== root) throw new Error(`the anchor of size ${size} is gone or changed`);
    }
    return { size: now.size, proofs };
  }
}
