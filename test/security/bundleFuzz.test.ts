import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { anchorInterface } from '../../src/anchor/chainClient.ts';
import { canonicalJson } from '../../src/events/canonicalJson.ts';
import { buildBundle } from '../../src/evidence/bundle/build.ts';
import type { EvidenceBundle } from '../../src/evidence/bundle/format.ts';
import { loanEvents } from '../../src/evidence/bundle/subjects.ts';
import { verifyBundleOffline, type CheckResult } from '../../src/evidence/bundle/verify.ts';
import { verifyBundle } from '../../src/evidence/bundle/verifyBundle.ts';
import type { AnchorRecordView } from '../../src/evidence/bundle/build.ts';
import {
  fakeAnchor,
  makeEvent,
  openLedger,
  seedLoanStory,
  signNote,
  type Ledger,
} from '../evidence/bundle/fixture.ts';

/**
 * Structural-mutation fuzz of the bundle verifier (the character-level fuzz is
 * test/evidence/bundle/offline.test.ts › fuzz). Each run applies one or two of: drop / duplicate / swap
 * events, move a proof to another event, truncate / extend a proof path, change a leaf index or a
 * checkpoint's tree size, replace a checkpoint root (with and without a valid re-signature by the log and
 * its witness: a lying operator), swap the anchor's transaction and block with another real anchor's or
 * random values, delete a required member, add an unknown member, change `format`. The verifier must
 * never throw and never accept the result; non-chain mutations must fail offline already. The anchor's
 * chain values are checked against an in-process fake JSON-RPC node that knows two real anchors.
 *
 * Documented exceptions (docs/evidence-format.md): `anchor.status` is "not evidence" (§3), and a bundle
 * only proves every disclosed stream is a gap-free prefix (§1.4), so dropping the *last* disclosed events
 * of a stream is accepted by design; both are pinned by their own tests below, not counted as failures.
 */

const RPC = 'http://fake-node.invalid/rpc';
const CHAIN_ID = 31337;
const FINALIZED = 100;

let l: Ledger;
let bundle: EvidenceBundle;
let anchorA: AnchorRecordView;
let anchorB: AnchorRecordView;
let fingerprint: string;

const hashOf = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const hexQ = (n: number) => `0x${n.toString(16)}`;

/** A minimal EVM JSON-RPC node over the given anchor records (every other tx: not found). */
function fakeNode(anchors: AnchorRecordView[]) {
  const iface = anchorInterface();
  const blockHashes = new Map(anchors.map((a) => [a.blockNumber ?? -1, a.blockHash]));
  const block = (n: number) => ({
    number: hexQ(n),
    hash: blockHashes.get(n) ?? hashOf(0xb10c0000 + n),
    parentHash: hashOf(n),
    timestamp: hexQ(1_767_225_600 + n * 12),
  });
  const answer = (method: string, params: unknown[]): unknown => {
    switch (method) {
      case 'eth_chainId':
        return hexQ(CHAIN_ID);
      case 'eth_blockNumber':
        return hexQ(FINALIZED + 20);
      case 'eth_getBlockByNumber': {
        const t = params[0] as string;
        if (t === 'finalized') return block(FINALIZED);
        const n = Number(BigInt(t));
        return n <= FINALIZED + 20 ? block(n) : null;
      }
      case 'eth_getTransactionReceipt': {
        const a = anchors.find((x) => x.txHash === params[0]);
        if (!a) return null;
        const ev = iface.encodeEventLog('Anchored', [a.logId, a.treeSize, a.root]);
        return {
          transactionHash: a.txHash,
          blockNumber: hexQ(a.blockNumber ?? 0),
          blockHash: a.blockHash,
          from: `0x${'77'.repeat(20)}`,
          to: a.contract,
          status: '0x1',
          gasUsed: '0x5208',
          logs: [
            {
              address: a.contract,
              topics: ev.topics,
              data: ev.data,
              blockNumber: hexQ(a.blockNumber ?? 0),
              blockHash: a.blockHash,
              transactionHash: a.txHash,
              logIndex: '0x0',
            },
          ],
        };
      }
      default:
        throw new Error(`fake node: unexpected method ${method}`);
    }
  };
  return async (url: unknown, init?: { body?: unknown }): Promise<Response> => {
    expect(String(url)).toBe(RPC);
    const req = JSON.parse(String(init?.body)) as { id: number; method: string; params: unknown[] };
    return new Response(
      JSON.stringify({ jsonrpc: '2.0', id: req.id, result: answer(req.method, req.params) }),
      {
        headers: { 'content-type': 'application/json' },
      },
    );
  };
}

beforeAll(async () => {
  l = await openLedger({ witnesses: 1 });
  await seedLoanStory(l);
  const size = l.tree.size;
  // Another real anchor of the same log, of an earlier tree (another tx, block, size and root).
  anchorB = {
    ...fakeAnchor(l, size - 2),
    txHash: `0x${'12'.repeat(32)}`,
    blockNumber: 5,
    blockHash: `0x${'34'.repeat(32)}`,
  };
  anchorA = fakeAnchor(l, size);
  l.anchors.push(anchorB, anchorA);
  await l.append('loan-OTHER', [makeEvent('LoanDisbursed', { loanId: 'OTHER', amountFen: 1_000_000 })]);
  await l.append('loan-L3', [makeEvent('LoanApplied', { loanId: 'L3', amountFen: 7 })]);
  bundle = await buildBundle({ kind: 'loan', id: 'L1' }, await loanEvents(l.store, 'L1'), l.sources());
  fingerprint = canonicalJson(bundle);
  vi.stubGlobal('fetch', fakeNode([anchorA, anchorB]));
});
afterAll(async () => {
  vi.unstubAllGlobals();
  await l.close();
});

// ---------------------------------------------------------------------------------------------------
// Mutations. Each mutates a structuredClone of the bundle in place (typed loosely: a mutated bundle is
// not an EvidenceBundle any more). What must fail is decided on the result, not per mutation (two
// mutations can cancel out or combine into a documented exception).

type Mutable = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Mutation {
  name: string;
  /**
   * 'offline-blind': a checkpoint re-signed by the real log key with another tree size; the RFC 9162
   * algorithms do not bind every low bit of a claimed size (a 9→11 consistency proof also verifies as
   * 9→12 with the same root), so only the chain's Anchored treeSize catches it for `checkpoint`, and
   * nothing in a bundle can for `latest` ('unbound'). Not a verifier bug: the log key holder lying.
   */
  apply(b: Mutable): void | 'offline-blind' | 'unbound';
}

const TOP = ['format', 'subject', 'verifierKeys', 'events', 'checkpoint', 'anchor', 'latest'] as const;
const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const hex32 = hash32.map((u) => `0x${Buffer.from(u).toString('hex')}`);
/** Picks an element index of an array of length n from a nat (n ≥ 1). */
const at = (n: number, k: number) => k % Math.max(1, n);
const decode = (e: Mutable) =>
  JSON.parse(Buffer.from(e.canonical as string, 'base64').toString('utf8')) as {
    stream: string;
    revision: number;
  };

/** ±1 or a random value (including 0 and huge ones); never the same value. */
const numberChange = fc.oneof(
  fc.constant((n: number) => n + 1),
  fc.constant((n: number) => n - 1),
  fc.nat().map((r) => (n: number) => (r === n ? r + 1 : r)),
  fc.constant((_: number) => Number.MAX_SAFE_INTEGER),
);

const noteLines = (note: string) => note.split('\n');
/** The note's parts; `resign` re-signs the changed body with the log key and its witness (a lying log). */
function editNote(note: string, edit: (lines: string[]) => void, resign: boolean): string {
  const lines = noteLines(note);
  const blank = lines.indexOf('');
  const body = lines.slice(0, blank);
  edit(body);
  if (resign) return signNote(body.join('\n') + '\n', [l.log, ...l.witnesses]);
  return [...body, ...lines.slice(blank)].join('\n');
}

const which = fc.constantFrom('checkpoint', 'latest') as fc.Arbitrary<'checkpoint' | 'latest'>;
const getNote = (b: Mutable, w: 'checkpoint' | 'latest') =>
  w === 'checkpoint' ? (b.checkpoint as string) : (b.latest.checkpoint as string);
const setNote = (b: Mutable, w: 'checkpoint' | 'latest', note: string) => {
  if (w === 'checkpoint') b.checkpoint = note;
  else b.latest.checkpoint = note;
};

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map((i) => ({
    name: `drop event ${i}`,
    apply(b: Mutable) {
      b.events.splice(at(b.events.length, i), 1);
    },
  })),
  fc.tuple(fc.nat(), fc.nat()).map(([i, j]) => ({
    name: `duplicate event ${i} at ${j}`,
    apply(b: Mutable) {
      const e = structuredClone(b.events[at(b.events.length, i)]);
      b.events.splice(at(b.events.length + 1, j), 0, e);
    },
  })),
  fc
    .tuple(fc.nat(), fc.nat(), fc.constantFrom('whole', 'canonical', 'canonical+proof'))
    .map(([i, j, what]) => ({
      name: `swap events ${i}<->${j} (${what})`,
      apply(b: Mutable) {
        const x = b.events[at(b.events.length, i)];
        const y = b.events[at(b.events.length, j)];
        const keys =
          what === 'whole'
            ? ['index', 'canonical', 'inclusionProof']
            : what === 'canonical'
              ? ['canonical']
              : ['canonical', 'inclusionProof'];
        for (const k of keys) [x[k], y[k]] = [y[k], x[k]];
      },
    })),
  fc.tuple(fc.nat(), fc.nat(), fc.boolean()).map(([i, j, swap]) => ({
    name: `${swap ? 'swap' : 'copy'} inclusion proof of event ${i} to ${j}`,
    apply(b: Mutable) {
      const x = b.events[at(b.events.length, i)];
      const y = b.events[at(b.events.length, j)];
      if (swap) [x.inclusionProof, y.inclusionProof] = [y.inclusionProof, x.inclusionProof];
      else y.inclusionProof = [...x.inclusionProof];
    },
  })),
  fc
    .tuple(
      fc.oneof(fc.nat(), fc.constant(-1)),
      fc.constantFrom('remove', 'duplicate', 'insert', 'replace', 'truncate', 'empty'),
      fc.nat(),
      hash32,
    )
    .map(([i, op, k, h]) => ({
      name: `${op} ${i < 0 ? 'consistency' : `inclusion proof of event ${i}`} @${k}`,
      apply(b: Mutable) {
        const p: string[] =
          i < 0 ? b.latest.consistencyProof : b.events[at(b.events.length, i)].inclusionProof;
        const pos = at(p.length, k);
        if (op === 'remove') p.splice(pos, 1);
        else if (op === 'duplicate' && p.length > 0) p.splice(pos, 0, p[pos]!);
        else if (op === 'insert') p.splice(at(p.length + 1, k), 0, b64(h));
        else if (op === 'replace') p[pos] = b64(h);
        else if (op === 'truncate') p.length = pos;
        else p.length = 0;
      },
    })),
  fc.tuple(fc.nat(), numberChange).map(([i, f]) => ({
    name: `change leaf index of event ${i}`,
    apply(b: Mutable) {
      const e = b.events[at(b.events.length, i)];
      e.index = f(e.index);
    },
  })),
  fc.tuple(which, numberChange, fc.boolean()).map(([w, f, resign]) => ({
    name: `change tree size of ${w}${resign ? ', re-signed' : ''}`,
    apply(b: Mutable) {
      setNote(
        b,
        w,
        editNote(getNote(b, w), (body) => void (body[1] = String(Math.max(0, f(Number(body[1]))))), resign),
      );
      return !resign ? undefined : w === 'checkpoint' ? 'offline-blind' : 'unbound';
    },
  })),
  fc.tuple(which, hash32, fc.boolean()).map(([w, h, resign]) => ({
    name: `replace root of ${w}${resign ? ', re-signed' : ''}`,
    apply(b: Mutable) {
      setNote(
        b,
        w,
        editNote(getNote(b, w), (body) => void (body[2] = b64(h)), resign),
      );
    },
  })),
  fc
    .tuple(
      fc.constantFrom('other anchor', 'random'),
      fc.subarray(['txHash', 'blockNumber', 'blockHash'] as const, { minLength: 1 }),
      hex32,
      fc.nat(),
    )
    .map(([src, fields, h, n]) => ({
      name: `anchor ${fields.join('+')} from ${src}`,
      apply(b: Mutable) {
        for (const f of fields) {
          if (src === 'other anchor') b.anchor[f] = anchorB[f];
          else b.anchor[f] = f === 'blockNumber' ? n : h;
        }
      },
    })),
  fc.tuple(fc.constantFrom('chainId', 'contract', 'logId'), hex32, numberChange).map(([f, h, g]) => ({
    name: `anchor ${f} changed`,
    apply(b: Mutable) {
      if (f === 'chainId') b.anchor.chainId = Math.max(1, g(b.anchor.chainId));
      else if (f === 'contract') b.anchor.contract = h.slice(0, 42);
      else b.anchor.logId = h;
    },
  })),
  fc.tuple(fc.constantFrom('root', 'treeSize'), fc.boolean()).map(([f, other]) => ({
    // The anchor carries no root or tree size (the verifier derives both from the signed checkpoint):
    // a bundle that states one is stating something nobody checks.
    name: `anchor gains ${f} (${other ? 'other anchor' : 'own'})`,
    apply(b: Mutable) {
      const a = other ? anchorB : anchorA;
      b.anchor[f] = a[f];
    },
  })),
  fc.constantFrom(...TOP).map((f) => ({
    name: `delete ${f}`,
    apply(b: Mutable) {
      delete b[f];
    },
  })),
  fc
    .tuple(
      fc.oneof(
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.constantFrom('signature', 'version', 'note', 'root', '__proto__x'),
      ),
      fc.constantFrom('top', 'subject', 'anchor', 'latest', 'event'),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map(([k, where, v]) => ({
      name: `add unknown member ${JSON.stringify(k)} to ${where}`,
      apply(b: Mutable) {
        const target = where === 'top' ? b : where === 'event' ? b.events[0] : b[where];
        // A real member of its object is a change of value, not an unknown member: leave it alone.
        if (Object.prototype.hasOwnProperty.call(target, k)) return;
        Object.defineProperty(target, k, {
          value: v ?? null,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      },
    })),
  fc
    .constantFrom(
      'loan-ledger/evidence/v2',
      'loan-ledger/evidence/v0',
      'loan-ledger/evidence/V1',
      'loan-ledger/evidence/v1 ',
      '',
      'v1',
      1,
    )
    .map((v) => ({
      name: `format = ${JSON.stringify(v)}`,
      apply(b: Mutable) {
        b.format = v;
      },
    })),
);

const canon = (v: unknown): string => {
  try {
    return canonicalJson(v);
  } catch {
    return JSON.stringify(v);
  }
};
/** The bundle without the anchor's chain values: what the offline checks can see. */
const CHAIN_FIELDS = ['chainId', 'contract', 'txHash', 'blockNumber', 'blockHash'];
function offlineView(b: unknown): unknown {
  const v = structuredClone(b) as Mutable;
  if (v && typeof v.anchor === 'object' && v.anchor !== null)
    for (const f of CHAIN_FIELDS) if (Object.hasOwn(v.anchor, f)) v.anchor[f] = '(chain)';
  return v;
}

/**
 * `b` is `original` with some events left out, each the last disclosed one of its stream (a tail):
 * everything else identical, the kept events in their order. Docs §1.4: accepted by design.
 */
function isTailTruncation(b: unknown, original: unknown): boolean {
  const x = b as Mutable;
  const o = original as Mutable;
  if (!x || typeof x !== 'object' || !Array.isArray(x.events)) return false;
  if (canon({ ...x, events: [] }) !== canon({ ...o, events: [] })) return false;
  const orig = (o.events as Mutable[]).map(canon);
  const kept = new Set<number>();
  let from = 0;
  for (const e of x.events as unknown[]) {
    const k = orig.indexOf(canon(e), from);
    if (k < 0) return false;
    kept.add(k);
    from = k + 1;
  }
  const decoded = (o.events as Mutable[]).map(decode);
  return decoded.every(
    (d, k) =>
      kept.has(k) ||
      ![...kept].some((j) => decoded[j]!.stream === d.stream && decoded[j]!.revision > d.revision),
  );
}

const failing = (checks: CheckResult[]) => checks.filter((c) => c.status === 'fail');

describe('structural-mutation fuzz of the bundle verifier', () => {
  it('the control: the fixture bundle verifies offline and against the fake node', async () => {
    const full = await verifyBundle(bundle, { rpcUrl: RPC });
    expect(failing(full.checks)).toEqual([]);
    expect(full.ok).toBe(true);
    expect(full.checks.filter((c) => c.check.startsWith('chain.')).map((c) => c.status)).toEqual([
      'pass',
      'pass',
      'pass',
      'pass',
      'pass',
      'pass',
    ]);
    // and the other anchor is real too: the node is not simply agreeing with everything
    const r = await verifyBundle(
      { ...bundle, anchor: { ...bundle.anchor, txHash: anchorB.txHash } },
      { rpcUrl: RPC },
    );
    expect(failing(r.checks).map((c) => c.check)).toEqual(['chain.event', 'chain.block']);
  });

  it('fuzz: one or two structural mutations: never a throw, never accepted', async () => {
    const stats = { runs: 0, noop: 0, tailDrop: 0, unbound: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 2 }), async (muts) => {
        stats.runs++;
        const b = structuredClone(bundle) as Mutable;
        const marks = new Set<string>();
        for (const m of muts) {
          try {
            const before = canon(b);
            const mark = m.apply(b);
            if (mark && canon(b) !== before) marks.add(mark);
          } catch {
            // its target is gone (an earlier mutation deleted it): nothing applied
          }
        }
        const after = canon(b);
        if (after === fingerprint) return void stats.noop++;
        const what = muts.map((m) => m.name).join(' + ');

        let offline, full;
        try {
          offline = verifyBundleOffline(b);
          full = await verifyBundle(b, { rpcUrl: RPC });
        } catch (e) {
          throw new Error(`${what}: the verifier threw ${String(e)}`);
        }
        for (const r of [offline, full]) {
          expect(
            r.checks.map((c) => c.check),
            what,
          ).not.toContain('internal');
          expect(
            r.checks.map((c) => c.check),
            what,
          ).not.toContain('chain.rpc');
        }
        // Dropping only the last disclosed events of streams is what §1.4 does not cover: by design.
        if (isTailTruncation(b, bundle)) return void stats.tailDrop++;
        if (marks.has('unbound')) return void stats.unbound++;
        expect(full.ok, `${what} was accepted`).toBe(false);
        if (marks.has('offline-blind')) return;
        // Only the chain can check the anchor's chain values: anything else must fail offline already.
        const view = offlineView(b);
        if (canon(view) !== canon(offlineView(bundle)) && !isTailTruncation(view, offlineView(bundle)))
          expect(offline.ok, `${what} was accepted offline`).toBe(false);
      }),
      { numRuns: 600, seed: Number(process.env.BUNDLE_FUZZ_SEED ?? 20260301) },
    );
    expect(stats.runs).toBe(600);
    // The generator must mostly produce real mutations, or the test proves little.
    expect(stats.noop + stats.tailDrop + stats.unbound).toBeLessThan(stats.runs / 5);
  }, 30_000);

  it('documented: dropping the last disclosed event of a stream verifies (only gap-free prefixes are proven, §1.4)', async () => {
    const streams = bundle.events.map((e) => decode(e as Mutable));
    const last = streams.length - 1; // LoanOverdue, loan-L1 revision 3
    expect(streams[last]).toMatchObject({ stream: 'loan-L1', revision: 3 });
    const r = await verifyBundle({ ...bundle, events: bundle.events.slice(0, last) }, { rpcUrl: RPC });
    expect(r.ok).toBe(true);
    const noGuarantee = bundle.events.filter((_, i) => streams[i]!.stream !== 'guarantee-L1');
    expect((await verifyBundle({ ...bundle, events: noGuarantee }, { rpcUrl: RPC })).ok).toBe(true);
  });

  it('documented: anchor.status is not evidence and is not checked (§3)', async () => {
    const r = await verifyBundle(
      { ...bundle, anchor: { ...bundle.anchor, status: 'included' } },
      { rpcUrl: RPC },
    );
    expect(r.ok).toBe(true);
  });
});
