import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLedger, type Ledger } from '../../src/app/ledger.ts';
import { isLedgerError } from '../../src/errors.ts';
import { newEventId } from '../../src/events/ids.ts';
import { startChainFixture, type ChainFixture } from '../anchor/chainFixture.ts';
import {
  cannotStageFsFaults,
  demoKey,
  mountTmpfs,
  publishProduct,
  reliabilityConfig,
  streamEvents,
} from './support.ts';

/**
 * The data directory stops taking writes.
 *
 * While the ledger runs: a filesystem cannot be remounted read-only under open writers (EBUSY), so the
 * kernel is made to refuse writes another way: `chattr +i` on the database and its WAL (on ext4 the
 * immutable flag refuses writes even through descriptors opened before, with EPERM — the same path
 * through SQLite as EROFS). While stopped: the data directory is a tmpfs remounted read-only.
 */
const skip = cannotStageFsFaults();
if (skip) console.log(`test/reliability/readOnly.test.ts skipped: ${skip}`);

/** Whether `chattr +i` works under the OS temp dir (ext4 yes, tmpfs and overlayfs often not). */
function immutableWorks(dir: string): boolean {
  const probe = join(dir, 'probe');
  try {
    execFileSync('touch', [probe]);
    execFileSync('chattr', ['+i', probe], { stdio: 'pipe' });
    execFileSync('chattr', ['-i', probe], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { force: true });
  }
}

const immutable = (on: boolean, files: string[]) =>
  execFileSync('chattr', [on ? '+i' : '-i', ...files.filter((f) => existsSync(f))], { stdio: 'pipe' });

describe.skipIf(skip)('a data directory that stops taking writes', () => {
  let chain: ChainFixture;
  beforeAll(async () => {
    chain = await startChainFixture();
  });
  afterAll(async () => chain?.stop());

  it('while running (immutable files): 503 on commands, reads served, recovers when writable again', async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'll-ro-'));
    if (!immutableWorks(dir)) {
      rmSync(dir, { recursive: true, force: true });
      console.log(`skipped: chattr +i does not work under ${tmpdir()}`);
      ctx.skip();
    }
    const files = ['ledger.db', 'ledger.db-wal'].map((f) => join(dir, f));
    let ledger: Ledger | undefined;
    try {
      const config = reliabilityConfig(dir, { rpcUrl: chain.anvil.rpcUrl, contract: chain.contract });
      ledger = await startLedger(config);
      const bank = demoKey(dir, 'bank').apiKey;
      const regulator = demoKey(dir, 'regulator').apiKey;
      const acked: string[] = [];
      const refused: string[] = [];
      const post = async (expected: number) => {
        const id = newEventId();
        const r = await publishProduct(ledger!, bank, id);
        expect(r.status, JSON.stringify(r.body)).toBe(expected);
        (r.status === 201 ? acked : refused).push(id);
        return r;
      };
      for (let i = 0; i < 3; i++) await post(201);

      for (let round = 0; round < 3; round++) {
        immutable(true, files);
        try {
          const r = await post(503);
          expect(r.body.code).toBe('LL_STORE_UNAVAILABLE');
          expect(String(r.body.detail)).toMatch(/disk refused a write|read-only/i);
          await post(503);
          expect(await streamEvents(ledger, regulator, `product-${acked[0]}`)).toEqual({
            status: 200,
            types: ['ProductPublished'],
          });
          expect((await fetch(`${ledger.url}/healthz`)).status).toBe(200);
        } finally {
          immutable(false, files);
        }
        for (let i = 0; i < 5; i++) await post(201);
      }

      for (const id of acked) expect(await ledger.store.readStream(`product-${id}`)).toHaveLength(1);
      for (const id of refused) expect(await ledger.store.readStream(`product-${id}`)).toHaveLength(0);
      const log = ledger.verifiableLog.log;
      expect(await log.catchUp()).toBe(await ledger.store.headPosition());
      await log.verifyAgainstStore();
      await ledger.close();
      ledger = await startLedger(config); // the start-up checks pass on what the faults left
      for (const id of acked) expect(await ledger.store.readStream(`product-${id}`)).toHaveLength(1);
      console.log(
        `read-only (running): ${acked.length} acknowledged and stored once, ${refused.length} refused`,
      );
    } finally {
      await ledger?.close().catch(() => {});
      immutable(false, files);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('at start-up (read-only mount): refuses to start with LL_STORE_UNAVAILABLE naming the file, starts once writable', async () => {
    const fs = mountTmpfs(32 * 1024 * 1024);
    const dir = join(fs.dir, 'data');
    try {
      const config = reliabilityConfig(dir, { rpcUrl: chain.anvil.rpcUrl, contract: chain.contract });
      const first = await startLedger(config);
      const bank = demoKey(dir, 'bank').apiKey;
      const id = newEventId();
      expect((await publishProduct(first, bank, id)).status).toBe(201);
      await first.close();

      execFileSync('mount', ['-o', 'remount,ro', fs.dir], { stdio: 'pipe' });
      const err = await startLedger(config).then(
        async (l) => {
          await l.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(isLedgerError(err) && err.code, String(err)).toBe('LL_STORE_UNAVAILABLE');
      expect((err as Error).message).toMatch(/read-only/i);
      expect(JSON.stringify((err as { details: unknown }).details)).toContain(dir);

      execFileSync('mount', ['-o', 'remount,rw', fs.dir], { stdio: 'pipe' });
      const again = await startLedger(config);
      try {
        expect(await again.store.readStream(`product-${id}`)).toHaveLength(1);
        expect((await publishProduct(again, bank, newEventId())).status).toBe(201);
      } finally {
        await again.close();
      }
    } finally {
      fs.unmount();
    }
  });
});
