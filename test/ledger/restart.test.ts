import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultOrigin, openCheckpoint } from '../../src/ledger/checkpoint.ts';
import { createLogService } from '../../src/ledger/logService.ts';
import { loadOrCreateLogSigner } from '../../src/ledger/logKey.ts';
import { verifyConsistency } from '../../src/ledger/merkle.ts';
import { MerkleLog } from '../../src/ledger/merkleLog.ts';
import { openSqliteTreeStore } from '../../src/ledger/sqlite/sqliteTreeStore.ts';
import { openSqliteEventStore } from '../../src/store/sqlite/index.ts';
import { loanEvent } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'merkle-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the child until it has published `checkpoints` checkpoints, then SIGKILLs it mid-stream. */
function runAndKill(
  file: string,
  keyFile: string,
  checkpoints: number,
): Promise<{ size: number; root: string }[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', new URL('./crashChild.ts', import.meta.url).pathname, file, keyFile],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const seen: { size: number; root: string }[] = [];
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    child.stdout.on('data', (d) => {
      out += String(d);
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const l of lines) {
        const [tag, size, root] = l.split(' ');
        if (tag === 'CP') seen.push({ size: Number(size), root: root as string });
      }
      if (seen.length >= checkpoints && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve(seen) : reject(new Error(`child exited ${code}: ${err}`)),
    );
  });
}

describe('restart after SIGKILL mid-stream', () => {
  it('keeps every published checkpoint: same roots, consistent with the resumed tree', async () => {
    const file = join(dir, 'ledger.db');
    const keyFile = join(dir, 'log.key');
    const published = [...(await runAndKill(file, keyFile, 8)), ...(await runAndKill(file, keyFile, 6))];
    expect(published.length).toBeGreaterThanOrEqual(14);

    const store = openSqliteEventStore({ file });
    const tree = openSqliteTreeStore(store.db);
    const log = await MerkleLog.open({ store, tree }); // re-derives every leaf: throws if anything differs
    const service = createLogService({
      log,
      signer: loadOrCreateLogSigner(keyFile, 'crash.test/log'),
      origin: defaultOrigin('crash.test'),
    });
    // the tree holds every committed event (the kill may land between a commit and the log's batch)
    expect(log.size).toBe(await store.headPosition());
    for (const cp of published) {
      expect(Buffer.from(log.root(cp.size)).toString('base64')).toBe(cp.root);
      const root = Buffer.from(cp.root, 'base64');
      expect(verifyConsistency(cp.size, log.size, root, log.root(), log.consistencyProof(cp.size))).toBe(
        true,
      );
    }
    // every stored checkpoint still opens and matches the tree
    for (const stored of tree.checkpoints()) {
      const { checkpoint } = openCheckpoint(stored.note, service.verifierKey());
      expect(Buffer.from(log.root(checkpoint.size))).toEqual(Buffer.from(checkpoint.root));
    }
    // and the log carries on, signing a checkpoint consistent with all of them
    await store.appendToStream('loan-after', [loanEvent(1), loanEvent(2)]);
    const note = await service.latestCheckpoint();
    expect(openCheckpoint(note, service.verifierKey()).checkpoint.size).toBe(log.size);
    await store.close();
  });
});
