import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_BUNDLE_BYTES, verifyCommand } from '../../src/cli/commands/verify.ts';
import { buildBundle } from '../../src/evidence/bundle/build.ts';
import type { EvidenceBundle } from '../../src/evidence/bundle/format.ts';
import { loanEvents } from '../../src/evidence/bundle/subjects.ts';
import { fakeAnchor, openLedger, seedLoanStory, type Ledger } from '../evidence/bundle/fixture.ts';

/**
 * `loan-ledger verify` against hostile files a court might be sent: over 10 MB, nested 100,000+ deep,
 * numbers beyond any safe integer, every field of the wrong type. Each must end with exit 1 (a named
 * check failed) or 2 (unreadable), say so in one clear line, and never throw, crash or hang.
 * (The fast-check fuzz of mutated bundles — never a crash, never accepted — is
 * test/evidence/bundle/offline.test.ts › fuzz: …; not repeated here.)
 */
let l: Ledger;
let bundle: EvidenceBundle;
const dir = mkdtempSync(join(tmpdir(), 'll-hostile-bundle-'));

beforeAll(async () => {
  l = await openLedger();
  await seedLoanStory(l);
  l.anchors.push(fakeAnchor(l, l.tree.size));
  bundle = await buildBundle({ kind: 'loan', id: 'L1' }, await loanEvents(l.store, 'L1'), l.sources());
});
afterAll(async () => {
  await l.close();
  rmSync(dir, { recursive: true, force: true });
});

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Runs the verify command in this process; returns its exit code and everything it printed. */
async function verify(name: string, content: string | Buffer): Promise<{ code: number; out: string }> {
  const file = join(dir, name);
  writeFileSync(file, content);
  const printed: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void printed.push(a.join(' ')));
  const err = vi.spyOn(console, 'error').mockImplementation((...a) => void printed.push(a.join(' ')));
  try {
    const code = await verifyCommand.run([file]);
    return { code, out: printed.join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

/** Exit 1 with a named failing check and the NOT VERIFIED line, no stack trace. */
async function fails(name: string, content: string | Buffer, check?: string): Promise<string> {
  const r = await verify(name, content);
  expect(r.code, r.out.slice(0, 2000)).toBe(1);
  expect(r.out).toMatch(/\nNOT VERIFIED .*: \d+ check\(s\) failed/);
  expect(r.out).toMatch(check ? new RegExp(`^✗ ${check.replace('.', '\\.')}: `, 'm') : /^✗ [a-z.]+: /m);
  expect(r.out).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(r.out).not.toMatch(/^✗ internal/m);
  return r.out;
}

/** Exit 2 with one "cannot read" line. */
async function unreadable(name: string, content: string | Buffer): Promise<string> {
  const r = await verify(name, content);
  expect(r.code, r.out.slice(0, 2000)).toBe(2);
  expect(r.out).toMatch(/^cannot read .+: .+/);
  expect(r.out.split('\n')).toHaveLength(1);
  return r.out;
}

describe('loan-ledger verify with hostile input', () => {
  it('the control: the untouched bundle verifies (exit 0)', async () => {
    const r = await verify('good.json', JSON.stringify(bundle));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('VERIFIED');
  });

  it('over 10 MB: huge event payloads, and thousands of copied events, fail their checks', async () => {
    // Each canonical at the schema's 2,000,000-character cap: the file is ~12 MB and passes the schema.
    const blob = b64(JSON.stringify({ pad: 'x'.repeat(1_400_000) }));
    expect(blob.length).toBeLessThanOrEqual(2_000_000);
    const fat = { ...bundle, events: bundle.events.map((e) => ({ ...e, canonical: blob })).slice(0, 1) };
    while (fat.events.length < 6) fat.events.push({ ...fat.events[0]! });
    const fatText = JSON.stringify(fat);
    expect(fatText.length).toBeGreaterThan(10_000_000);
    await fails('fat.json', fatText, 'events.canonical');

    // 20,000 copies of the real events (a genuine-looking, duplicated disclosure).
    const many = { ...bundle, events: Array.from({ length: 20_000 }, (_, i) => bundle.events[i % 4]!) };
    const manyText = JSON.stringify(many);
    expect(manyText.length).toBeGreaterThan(10_000_000);
    await fails('many.json', manyText);

    // 12 MB that is JSON but no bundle at all.
    await fails('array.json', `[${'1234567890,'.repeat(1_100_000)}0]`, 'schema');
    // 12 MB that is not JSON.
    await unreadable('junk.json', Buffer.alloc(12_000_000, 0xff));
  }, 120_000);

  it('a file over the size limit is refused before it is read (exit 2), a sparse 300 MiB file here', async () => {
    const file = join(dir, 'huge-sparse.json');
    writeFileSync(file, '');
    truncateSync(file, MAX_BUNDLE_BYTES + 1);
    const printed: string[] = [];
    const err = vi.spyOn(console, 'error').mockImplementation((...a) => void printed.push(a.join(' ')));
    try {
      expect(await verifyCommand.run([file])).toBe(2);
    } finally {
      err.mockRestore();
    }
    expect(printed.join('\n')).toMatch(/^cannot read .+: \d+ bytes, over the verifier's limit/);
  });

  it('deep nesting: in the file, in a field, and inside an event’s canonical bytes', async () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    // the whole file (V8's JSON.parse is iterative: it parses, and the schema refuses an array)
    await fails('deep.json', deep(1_000_000), 'schema');
    // one field of an otherwise valid bundle
    const text = JSON.stringify(bundle).replace('"subject":', `"subject":${deep(200_000)},"x":`);
    await fails('deep-field.json', text, 'schema');
    // the canonical bytes of an event (schema-valid base64 hiding 300,000 levels of nesting)
    const nested = b64(`{"data":${deep(300_000)}}`);
    const inner = {
      ...bundle,
      events: [{ ...bundle.events[0]!, canonical: nested }, ...bundle.events.slice(1)],
    };
    await fails('deep-canonical.json', JSON.stringify(inner), 'events.canonical');
  }, 60_000);

  it('huge and out-of-range numbers fail the schema', async () => {
    const num = (raw: string, edit: (b: Record<string, unknown>) => void) => {
      const copy = structuredClone(bundle) as unknown as Record<string, unknown>;
      edit(copy);
      return JSON.stringify(copy).replace('"@@N@@"', raw);
    };
    for (const raw of ['1e400', '-1', '123456789012345678901234567890', '9007199254740993', '0.5', '-0']) {
      const event = num(raw, (b) => ((b.events as Record<string, unknown>[])[0]!.index = '@@N@@'));
      const chain = num(raw, (b) => ((b.anchor as Record<string, unknown>).chainId = '@@N@@'));
      const block = num(raw, (b) => ((b.anchor as Record<string, unknown>).blockNumber = '@@N@@'));
      if (raw === '-0') {
        // -0 parses as 0: a legal index, chain id 0 is not; either way never accepted as the original
        await fails(`chain${raw}.json`, chain, 'schema');
        continue;
      }
      await fails(`index${raw}.json`, event, 'schema');
      await fails(`chain${raw}.json`, chain, 'schema');
      await fails(`block${raw}.json`, block, 'schema');
    }
  });

  it('wrong types at the top level and in every field fail the schema, never throw', async () => {
    for (const [i, v] of ['null', 'true', '42', '"bundle"', '[]', '{}'].entries())
      await fails(`top${i}.json`, v, 'schema');
    const fields = Object.keys(bundle) as (keyof EvidenceBundle)[];
    const junk = ['null', '0', '"x"', '[]', '{}', '[null]', '{"__proto__":{"polluted":true}}', '1e999'];
    for (const f of fields)
      for (const [i, raw] of junk.entries()) {
        const text = JSON.stringify({ ...bundle, [f]: '@@J@@' }).replace('"@@J@@"', raw);
        await fails(`field-${f}-${i}.json`, text, 'schema');
      }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // empty, binary and invalid-UTF-8 files are unreadable
    await unreadable('empty.json', '');
    await unreadable('binary.json', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe]));
  });

  it('a real process: the 12 MB and the 1,000,000-deep files end with exit 1 (no crash, no hang)', () => {
    const cli = (file: string) =>
      spawnSync(process.execPath, ['bin/loan-ledger.js', 'verify', join(dir, file)], {
        encoding: 'utf8',
        timeout: 90_000,
        cwd: new URL('../..', import.meta.url).pathname,
      });
    for (const [file, expected] of [
      ['fat.json', 1],
      ['deep.json', 1],
    ] as const) {
      const r = cli(file);
      expect(r.signal, `${file}: killed (hang?)`).toBeNull();
      expect(r.status, r.stderr).toBe(expected);
      expect(r.stderr + r.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    }
  }, 200_000);
});
