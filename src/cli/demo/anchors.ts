import { z } from 'zod';
import { StepFailed, type DemoContext } from './context.ts';
import { ORG } from './parties.ts';

export const Anchor = z.looseObject({ treeSize: z.number().int(), status: z.string(), txHash: z.string() });
export const Anchors = z.array(Anchor);

/** The C2SP checkpoint note: origin, tree size, base64 root hash, then signatures. */
export function treeSizeOf(checkpoint: string): number {
  const size = Number(checkpoint.split('\n')[1]);
  if (!Number.isSafeInteger(size)) throw new Error('the checkpoint has no tree size on its second line');
  return size;
}

export interface AnchorWait {
  treeSize: number;
  finalTreeSize: number | null;
  reachedFinal: boolean;
  waitedMs: number;
}

/**
 * Waits until an anchor covering everything the scenario wrote is `final` on the chain, with one
 * progress line on stderr. `timeoutMs` 0 only reports where anchoring stands.
 */
export async function waitForFinal(ctx: DemoContext, timeoutMs: number, pollMs = 1000): Promise<AnchorWait> {
  const started = Date.now();
  const client = ctx.as(ORG.operator);
  let treeSize: number;
  try {
    treeSize = treeSizeOf(await client.getText('/v1/log/checkpoint'));
  } catch (e) {
    throw new StepFailed('read the log checkpoint', e);
  }
  const tty = process.stderr.isTTY;
  let last = '';
  for (;;) {
    let anchors: z.infer<typeof Anchors>;
    try {
      // Only the anchors covering the scenario's log size: the history can be long.
      anchors = await client.get(`/v1/log/anchors?fromTreeSize=${treeSize}`, Anchors);
    } catch (e) {
      throw new StepFailed('read the anchors', e);
    }
    const covering = anchors.filter((a) => a.treeSize >= treeSize);
    const final = covering.find((a) => a.status === 'final');
    const waitedMs = Date.now() - started;
    const best = covering.map((a) => a.status).join(',') || 'not yet anchored';
    const line = `waiting for anchors to reach final: log size ${treeSize}, covering anchors: ${best} (${Math.round(waitedMs / 1000)} s)`;
    if (tty) process.stderr.write(`\r${line}`);
    else if (line.replace(/\(\d+ s\)/, '') !== last) process.stderr.write(`${line}\n`);
    last = line.replace(/\(\d+ s\)/, '');
    if (final || waitedMs >= timeoutMs) {
      if (tty) process.stderr.write('\n');
      return {
        treeSize,
        finalTreeSize: final?.treeSize ?? null,
        reachedFinal: final !== undefined,
        waitedMs,
      };
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
