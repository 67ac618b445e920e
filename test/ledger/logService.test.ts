import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/events/canonicalJson.ts';
import { toHashedForm } from '../../src/events/envelope.ts';
import { defaultOrigin, openCheckpoint } from '../../src/ledger/checkpoint.ts';
import { createLogService, type LogService } from '../../src/ledger/logService.ts';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/ledger/merkle.ts';
import { MerkleLog } from '../../src/ledger/merkleLog.ts';
import { ed25519NoteSigner, randomSecretKey } from '../../src/ledger/signedNote.ts';
import { openSqliteTreeStore } from '../../src/ledger/sqlite/sqliteTreeStore.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { loanEvent } from './fixtures.ts';

let dir: string;
let store: SqliteEventStore;
let service: LogService;
const b = (s: string) => Buffer.from(s, 'base64');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'log-service-'));
  store = openSqliteEventStore({ file: join(dir, 'l.db') });
  const log = await MerkleLog.open({ store, tree: openSqliteTreeStore(store.db) });
  service = createLogService({
    log,
    signer: ed25519NoteSigner('svc.test/log', randomSecretKey()),
    origin: defaultOrigin('svc.test'),
  });
  for (let i = 0; i < 30; i++) await store.appendToStream(`loan-${i % 3}`, [loanEvent(i)]);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('log service', () => {
  it('serves a checkpoint, proofs, leaf hashes and entries that verify together', async () => {
    const note = await service.latestCheckpoint();
    const { checkpoint } = openCheckpoint(note, service.verifierKey(), { origin: service.origin() });
    expect(checkpoint.size).toBe(30);
    const { entries } = await service.entries('0', '30');
    const { hashes } = service.leafHashes(0, 30);
    for (const { index, leaf } of entries) {
      expect(Buffer.from(leafHash(b(leaf))).equals(b(hashes[index] as string))).toBe(true);
      const p = service.inclusionProof(String(index), '30');
      expect(verifyInclusion(index, 30, b(hashes[index] as string), p.path.map(b), checkpoint.root)).toBe(
        true,
      );
    }
    const first = (await store.readAll({ max: 1 })).events[0]!;
    expect(b(entries[0]!.leaf).toString('utf8')).toBe(canonicalJson(toHashedForm(first)));
    expect(await service.latestCheckpoint()).toBe(note); // no growth, no new signature
    await store.appendToStream('loan-x', [loanEvent(99)]);
    const next = openCheckpoint(await service.latestCheckpoint(), service.verifierKey()).checkpoint;
    const c = service.consistencyProof(30, next.size);
    expect(verifyConsistency(30, 31, checkpoint.root, next.root, c.path.map(b))).toBe(true);
  });

  it.each([
    ['inclusion', () => service.inclusionProof('-1', '5'), 'index'],
    ['inclusion', () => service.inclusionProof('1.5', '5'), 'index'],
    ['inclusion', () => service.inclusionProof('5', '5'), 'index'],
    ['inclusion', () => service.inclusionProof('0', '999'), 'treeSize'],
    ['inclusion', () => service.inclusionProof('0', ''), 'treeSize'],
    ['consistency', () => service.consistencyProof('6', '5'), 'first'],
    ['consistency', () => service.consistencyProof('1', '1e3'), 'second'],
    ['consistency', () => service.consistencyProof('1', '999'), 'second'],
    ['leaf-hashes', () => service.leafHashes('3', '2'), 'start'],
    ['leaf-hashes', () => service.leafHashes('0', '999'), 'end'],
    ['leaf-hashes', () => service.leafHashes('x', '2'), 'start'],
  ])('%s: bad parameters name the parameter (%#)', (_what, call, parameter) => {
    expect(call).toThrow(
      expect.objectContaining({ code: 'LL_INVALID_QUERY', details: expect.objectContaining({ parameter }) }),
    );
  });

  it('caps leaf ranges at 1000', async () => {
    for (let i = 0; i < 10; i++)
      await store.appendToStream(
        'loan-bulk',
        Array.from({ length: 100 }, (_, k) => loanEvent(1000 + i * 100 + k)),
      );
    await service.log.catchUp();
    expect(service.leafHashes(0, 1000).hashes).toHaveLength(1000);
    expect(() => service.leafHashes(0, 1001)).toThrow(expect.objectContaining({ code: 'LL_INVALID_QUERY' }));
  });
});
