import { openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLedger, type Ledger } from '../../src/app/ledger.ts';
import { newEventId } from '../../src/events/ids.ts';
import { startChainFixture, type ChainFixture } from '../anchor/chainFixture.ts';
import {
  call,
  cannotStageFsFaults,
  demoKey,
  mountTmpfs,
  publishProduct,
  reliabilityConfig,
  streamEvents,
  until,
} from './support.ts';

/**
 * Disk full, for real: the data directory is a 24 MiB tmpfs; a filler file takes every free byte, the
 * ledger is asked to publish products until the store refuses, then the filler is removed. Every
 * command the server acknowledged (201) must be stored exactly once, every refused one (503) not at
 * all, reads go on while the disk is full, and the server takes commands again by itself.
 */
const skip = cannotStageFsFaults();
const ROUNDS = 3;
if (skip) console.log(`test/reliability/diskFull.test.ts skipped: ${skip}`);

/** Writes zeros until the filesystem says ENOSPC; returns the bytes written. */
function fillDisk(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  // the last partial page too
  const small = openSync(file, 'a');
  try {
    for (;;) writeSync(small, Buffer.alloc(512));
  } catch {
    // full
  } finally {
    closeSync(small);
  }
  return written;
}

describe.skipIf(skip)('disk full on the data directory (real tmpfs)', () => {
  let fs: ReturnType<typeof mountTmpfs>;
  let chain: ChainFixture;
  let ledger: Ledger | undefined;
  const dataDir = () => join(fs.dir, 'data');

  beforeAll(async () => {
    fs = mountTmpfs(24 * 1024 * 1024);
    chain = await startChainFixture();
  });
  afterAll(async () => {
    await ledger?.close().catch(() => {});
    await chain?.stop();
    fs?.unmount();
  });

  it('refuses commands with 503 while full, serves reads, recovers when space returns, loses nothing', async () => {
    const config = reliabilityConfig(dataDir(), { rpcUrl: chain.anvil.rpcUrl, contract: chain.contract });
    ledger = await startLedger(config);
    const bank = demoKey(dataDir(), 'bank').apiKey;
    const regulator = demoKey(dataDir(), 'regulator').apiKey;
    const acked: string[] = [];
    const refused: string[] = [];

    for (let i = 0; i < 5; i++) {
      const id = newEventId();
      expect((await publishProduct(ledger, bank, id)).status).toBe(201);
      acked.push(id);
    }

    const filler = join(fs.dir, 'filler');
    for (let round = 0; round < ROUNDS; round++) {
      expect(fillDisk(filler)).toBeGreaterThan(0);

      // SQLite reuses WAL space it already has, so a few commands may still land: post until refused.
      let first503: Record<string, unknown> | undefined;
      for (let i = 0; i < 600 && !first503; i++) {
        const id = newEventId();
        const r = await publishProduct(ledger, bank, id);
        if (r.status === 201) acked.push(id);
        else {
          expect(r.status).toBe(503);
          refused.push(id);
          first503 = r.body;
        }
      }
      expect(first503, 'the store never refused a command on a full disk').toBeDefined();
      expect(first503).toMatchObject({ code: 'LL_STORE_UNAVAILABLE', status: 503 });
      expect(String(first503!.detail)).toMatch(/disk is full/i);

      // Still full: every command is refused the same way; reads and liveness go on.
      for (let i = 0; i < 3; i++) {
        const id = newEventId();
        const r = await publishProduct(ledger, bank, id);
        expect(r.status).toBe(503);
        expect(r.body.code).toBe('LL_STORE_UNAVAILABLE');
        refused.push(id);
      }
      const read = await streamEvents(ledger, regulator, `product-${acked[0]}`);
      expect(read).toEqual({ status: 200, types: ['ProductPublished'] });
      expect((await fetch(`${ledger.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${ledger.url}/v1/log/checkpoint`)).status).toBe(200);

      // Space comes back: the very next commands land, without a restart.
      rmSync(filler);
      const back = newEventId();
      const after = await publishProduct(ledger, bank, back);
      expect(after.status).toBe(201);
      acked.push(back);
      for (let i = 0; i < 20; i++) {
        const id = newEventId();
        expect((await publishProduct(ledger, bank, id)).status).toBe(201);
        acked.push(id);
      }
    }

    // Nothing lost, nothing doubled, nothing half-written.
    const store = ledger.store;
    for (const id of acked) expect(await store.readStream(`product-${id}`)).toHaveLength(1);
    for (const id of refused) expect(await store.readStream(`product-${id}`)).toHaveLength(0);
    const log = ledger.verifiableLog.log;
    await until('the Merkle log takes every stored event', async () =>
      (await log.catchUp()) === (await store.headPosition()) ? true : undefined,
    );
    await log.verifyAgainstStore();
    // The read models caught up too: no view stopped on the failed writes.
    const views = await until('projections caught up', async () => {
      const r = await call(ledger!, regulator, 'GET', '/v1/projections/status');
      return r.body.lag === 0 && (r.body.views as { name: string; error?: string }[]);
    });
    expect(views.filter((v) => v.error)).toEqual([]);

    // And a restart on the same directory passes the start-up checks with the same history.
    const size = log.size;
    const root = Buffer.from(log.root()).toString('hex');
    await ledger.close();
    ledger = await startLedger(config);
    expect(Buffer.from(ledger.verifiableLog.log.root(size)).toString('hex')).toBe(root);
    for (const id of acked) expect(await ledger.store.readStream(`product-${id}`)).toHaveLength(1);
    console.log(
      `disk full: ${acked.length} commands acknowledged (all stored once), ${refused.length} refused with 503 (none stored)`,
    );
  });
});
