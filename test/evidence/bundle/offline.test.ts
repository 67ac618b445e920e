import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../../src/evidence/bundle/build.ts';
import type { EvidenceBundle } from '../../../src/evidence/bundle/format.ts';
import { disputeEvents, loanEvents } from '../../../src/evidence/bundle/subjects.ts';
import { verifyBundleOffline, type OfflineResult } from '../../../src/evidence/bundle/verify.ts';
import { isLedgerError } from '../../../src/errors.ts';
import {
  checkpointBody,
  fakeAnchor,
  makeEvent,
  makeSigner,
  openLedger,
  seedLoanStory,
  signNote,
  type Ledger,
} from './fixture.ts';
import { getAt, leafPaths, mutateLeaf, setAt, type Path } from './mutate.ts';

let l: Ledger;
let bundle: EvidenceBundle;
let anchoredSize: number;

beforeAll(async () => {
  l = await openLedger({ witnesses: 1 });
  await seedLoanStory(l);
  anchoredSize = l.tree.size;
  l.anchors.push(fakeAnchor(l, anchoredSize));
  // Events after the anchor: the latest checkpoint is larger, so the consistency proof is not empty.
  await l.append('loan-OTHER', [makeEvent('LoanDisbursed', { loanId: 'OTHER', amountFen: 1_000_000 })]);
  await l.append('loan-L3', [makeEvent('LoanApplied', { loanId: 'L3', amountFen: 7 })]);
  bundle = await buildBundle({ kind: 'loan', id: 'L1' }, await loanEvents(l.store, 'L1'), l.sources());
});
afterAll(async () => l.close());

const failed = (r: OfflineResult) => r.checks.filter((c) => c.status === 'fail');
const firstFailure = (r: OfflineResult) => failed(r)[0]?.check;
const decoded = (b: EvidenceBundle) =>
  b.events.map(
    (e) => JSON.parse(Buffer.from(e.canonical, 'base64').toString('utf8')) as { stream: string; id: string },
  );

describe('evidence bundle, offline', () => {
  it('builds a loan bundle that verifies, every check named, the bundle key flagged as unpinned', () => {
    const r = verifyBundleOffline(bundle);
    expect(failed(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.check)).toEqual([
      'schema',
      'keys',
      'checkpoint.note',
      'checkpoint.signature',
      'anchor.logId',
      'events.canonical',
      'subject',
      'events.inclusion',
      'latest.note',
      'latest.signature',
      'consistency',
    ]);
    expect(r.checks.find((c) => c.check === 'keys')).toMatchObject({ status: 'warn' });
    expect(r.checks.find((c) => c.check === 'checkpoint.signature')?.detail).toContain(
      'witness "witness-0.test"',
    );
    expect(bundle.latest.consistencyProof.length).toBeGreaterThan(0);
  });

  it('discloses the loan, its guarantee, and nothing else (selective disclosure)', () => {
    const events = decoded(bundle);
    expect(new Set(events.map((e) => e.stream))).toEqual(new Set(['loan-L1', 'guarantee-L1']));
    expect(events).toHaveLength(5);
    const text = JSON.stringify(bundle);
    const others = l.events.filter((e) => !['loan-L1', 'guarantee-L1'].includes(e.stream));
    expect(others.length).toBeGreaterThan(0);
    for (const e of others) expect(text).not.toContain(e.id);
    expect(text).not.toContain('OTHER');
    expect(text).not.toContain('other co');
  });

  it('a dispute bundle carries the dispute and the loan it is about; an event bundle exactly one event', async () => {
    const d = await buildBundle(
      { kind: 'dispute', id: 'D1' },
      await disputeEvents(l.store, 'D1'),
      l.sources(),
    );
    expect(verifyBundleOffline(d).ok).toBe(true);
    expect(new Set(decoded(d).map((e) => e.stream))).toEqual(
      new Set(['dispute-D1', 'loan-L1', 'guarantee-L1']),
    );
    const one = l.events.find((e) => e.type === 'GuaranteeIssued')!;
    const single = await buildBundle({ kind: 'event', id: one.id }, [one], l.sources());
    expect(verifyBundleOffline(single).ok).toBe(true);
    expect(single.events).toHaveLength(1);
  });

  it('refuses events that no anchor covers yet', async () => {
    const late = l.events[l.events.length - 1]!;
    const err = await buildBundle({ kind: 'event', id: late.id }, [late], l.sources()).catch(
      (e: unknown) => e,
    );
    expect(isLedgerError(err) && err.code).toBe('LL_EVIDENCE_NOT_ANCHORED');
  });

  it('passes the key check when the log key is pinned with --key, and fails against another key', () => {
    const pinned = verifyBundleOffline(bundle, { trustedKeys: [l.log.vkey], expectedOrigin: l.log.name });
    expect(pinned.ok).toBe(true);
    expect(pinned.checks.find((c) => c.check === 'keys')).toMatchObject({ status: 'pass' });
    expect(pinned.checks.find((c) => c.check === 'log.origin')).toMatchObject({ status: 'pass' });

    const impostor = makeSigner(l.log.name);
    const wrong = verifyBundleOffline(bundle, { trustedKeys: [impostor.vkey] });
    expect(firstFailure(wrong)).toBe('checkpoint.signature');
    expect(failed(wrong)[0]!.detail).toMatch(
      /a key this verification does not know|not signed by the log key/,
    );
  });

  it('a bundle from another log fails on its origin and on the pinned key', async () => {
    const other = await openLedger({ origin: 'elsewhere.example/log' });
    try {
      await seedLoanStory(other);
      other.anchors.push(fakeAnchor(other, other.tree.size));
      const foreign = await buildBundle(
        { kind: 'loan', id: 'L1' },
        await loanEvents(other.store, 'L1'),
        other.sources(),
      );
      expect(verifyBundleOffline(foreign).ok).toBe(true); // self-consistent, but not ours:
      const byOrigin = verifyBundleOffline(foreign, { expectedOrigin: l.log.name });
      expect(firstFailure(byOrigin)).toBe('log.origin');
      expect(failed(byOrigin)[0]!.detail).toContain('another log');
      const byKey = verifyBundleOffline(foreign, { trustedKeys: [l.log.vkey] });
      expect(firstFailure(byKey)).toBe('checkpoint.signature');
    } finally {
      await other.close();
    }
  });

  it('a checkpoint signed by the wrong key fails with "does not verify"', () => {
    const forger = makeSigner(l.log.name);
    // The forger's signature under the real key's name and id: looks right, is not.
    const body = checkpointBody(l.log.name, anchoredSize, l.tree.root(anchoredSize));
    const realLine = l.log.sign(body);
    const forgedSig = Buffer.from(forger.sign(body).trim().split(' ').pop()!, 'base64').subarray(4);
    const keyId = Buffer.from(realLine.trim().split(' ').pop()!, 'base64').subarray(0, 4);
    const witnessLines = l.witnesses.map((w) => w.sign(body)).join('');
    const note = `${body}\n\u2014 ${l.log.name} ${Buffer.concat([keyId, forgedSig]).toString('base64')}\n${witnessLines}`;
    const r = verifyBundleOffline({ ...bundle, checkpoint: note });
    expect(firstFailure(r)).toBe('checkpoint.signature');
    expect(failed(r)[0]!.detail).toContain('does not verify');
    // And a note missing the witness the bundle lists fails too.
    const noWitness = verifyBundleOffline({ ...bundle, checkpoint: signNote(body, [l.log]) });
    expect(failed(noWitness)[0]!.detail).toContain('no signature by listed key "witness-0.test"');
  });

  it('a dropped event is caught (streams must be gap-free from revision 0)', () => {
    const r = verifyBundleOffline({ ...bundle, events: bundle.events.filter((_, i) => i !== 1) });
    expect(firstFailure(r)).toBe('subject');
    expect(failed(r)[0]!.detail).toContain('not complete');
  });

  // Offline checks cover everything but the anchor, which only the chain can confirm (chain.test.ts).
  const expected = (path: Path): string[] => {
    const p = path.join('.');
    if (p === 'format' || p === 'subject.kind') return ['schema'];
    if (p === 'subject.id') return ['subject'];
    if (p.startsWith('verifierKeys')) return ['keys'];
    if (p === 'anchor.logId') return ['anchor.logId'];
    if (p === 'checkpoint') return ['checkpoint.note', 'checkpoint.signature', 'anchor.logId'];
    if (p === 'latest.checkpoint') return ['latest.note', 'latest.signature'];
    if (p.startsWith('latest.consistencyProof')) return ['consistency'];
    if (/^events\.\d+\.inclusionProof/.test(p)) return ['events.inclusion'];
    if (/^events\.\d+\.index$/.test(p)) return ['events.canonical', 'events.inclusion'];
    if (/^events\.\d+\.canonical$/.test(p)) return ['events.canonical', 'subject', 'events.inclusion'];
    throw new Error(`no expectation for ${p}`);
  };
  const offlinePaths = () => leafPaths(bundle).filter((p) => p[0] !== 'anchor' || p[1] === 'logId');

  it('one changed character in any field outside the anchor fails, naming the check that caught it', () => {
    const paths = offlinePaths();
    expect(paths.length).toBeGreaterThan(30);
    for (const path of paths) {
      const leaf = getAt(bundle, path);
      const len = typeof leaf === 'string' ? leaf.length : 1;
      for (const pos of [0, Math.floor(len / 2), len - 1]) {
        const r = verifyBundleOffline(setAt(bundle, path, mutateLeaf(leaf, pos, 7)));
        expect(r.ok, `${path.join('.')}@${pos}`).toBe(false);
        expect(expected(path), `${path.join('.')}@${pos}: ${failed(r)[0]?.detail}`).toContain(
          firstFailure(r),
        );
      }
    }
  });

  it('fuzz: mutated bundles never crash the verifier and are never accepted', () => {
    const paths = offlinePaths();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(paths.length - 1), fc.nat(2000), fc.nat(63)), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          let b: unknown = bundle;
          for (const [p, pos, pick] of edits)
            b = setAt(b, paths[p]!, mutateLeaf(getAt(b, paths[p]!), pos, pick));
          if (JSON.stringify(b) === JSON.stringify(bundle)) return; // edits that cancelled out
          const r = verifyBundleOffline(b);
          expect(r.ok).toBe(false);
          expect(r.checks.some((c) => c.check === 'internal')).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fuzz: structurally wrong input (any JSON) yields a schema failure, never a throw', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = verifyBundleOffline(v);
        expect(r.ok).toBe(false);
        expect(firstFailure(r)).toBe('schema');
      }),
      { numRuns: 200 },
    );
    // Shape-preserving junk: right keys, wrong contents.
    fc.assert(
      fc.property(
        fc.anything(),
        fc.constantFrom('events', 'latest', 'subject', 'verifierKeys', 'anchor'),
        (junk, key) => {
          const r = verifyBundleOffline({ ...bundle, [key]: junk });
          expect(r.ok).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});
