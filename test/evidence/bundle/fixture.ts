import { canonicalBytes } from '../../../src/events/canonicalJson.ts';
import {
  toHashedForm,
  type EventToAppend,
  type Json,
  type PositionedEvent,
} from '../../../src/events/envelope.ts';
import { newEventId } from '../../../src/events/ids.ts';
import { logIdForOrigin } from '../../../src/anchor/config.ts';
import type { AnchorRecordView, BundleSources } from '../../../src/evidence/bundle/build.ts';
import { checkpointText } from '../../../src/ledger/checkpoint.ts';
import { MemoryTree } from '../../../src/ledger/merkle.ts';
import {
  addSignature,
  cosignatureV1Signer,
  ed25519NoteSigner,
  formatNote,
  randomSecretKey,
  type Note,
  type NoteSigner,
} from '../../../src/ledger/signedNote.ts';
import type { EventStore } from '../../../src/store/eventStore.ts';
import { openSqliteEventStore } from '../../../src/store/sqlite/index.ts';

/**
 * A small real ledger for evidence tests: a SQLite event store (in memory), the Merkle tree of its total
 * order, the ledger's C2SP checkpoint signer (Ed25519) and optional witnesses, and anchor records
 * (fabricated for offline tests, real anvil transactions in the chain tests).
 */

export const ORIGIN = 'loan-ledger.test/loan-ledger/leaf/v1';

export interface TestLog {
  name: string;
  vkey: string;
  signer: NoteSigner;
  /** One signature line over `body`. */
  sign(body: string): string;
}

/** A log signer (Ed25519, 0x01) or, with `cosigner`, a witness (cosignature/v1, 0x04). */
export function makeSigner(name: string, cosigner = false): TestLog {
  const signer = cosigner
    ? cosignatureV1Signer(name, randomSecretKey(), () => 1_767_225_600_000)
    : ed25519NoteSigner(name, randomSecretKey());
  return {
    name,
    vkey: signer.verifierKey,
    signer,
    sign: (body) => formatNote(addSignature({ text: body, signatures: [] }, signer)).slice(body.length + 1),
  };
}

export const checkpointBody = (origin: string, size: number, root: Uint8Array): string =>
  checkpointText({ origin, size, root, extensions: [] });

export const signNote = (body: string, signers: TestLog[]): string =>
  formatNote(signers.reduce<Note>((n, s) => addSignature(n, s.signer), { text: body, signatures: [] }));

let clock = Date.parse('2026-03-01T08:00:00.000Z');
export function makeEvent(type: string, data: Record<string, Json>, org = 'bank-icbc'): EventToAppend {
  clock += 60_000;
  return {
    id: newEventId(),
    type,
    schemaVersion: 1,
    data,
    meta: {
      actor: { org, role: 'bank' },
      recordedAt: new Date(clock).toISOString(),
      correlationId: 'corr-1',
      causationId: 'cause-1',
    },
  };
}

export interface Ledger {
  store: EventStore;
  tree: MemoryTree;
  log: TestLog;
  witnesses: TestLog[];
  anchors: AnchorRecordView[];
  events: PositionedEvent[];
  /** Appends to the store and the tree. */
  append(stream: string, events: EventToAppend[]): Promise<void>;
  note(size: number): string;
  sources(): BundleSources;
  close(): Promise<void>;
}

export async function openLedger(opts: { witnesses?: number; origin?: string } = {}): Promise<Ledger> {
  const origin = opts.origin ?? ORIGIN;
  const store = openSqliteEventStore({ file: ':memory:' });
  const tree = new MemoryTree();
  const log = makeSigner(origin);
  const witnesses = Array.from({ length: opts.witnesses ?? 0 }, (_, i) =>
    makeSigner(`witness-${i}.test`, true),
  );
  const events: PositionedEvent[] = [];
  const ledger: Ledger = {
    store,
    tree,
    log,
    witnesses,
    anchors: [],
    events,
    async append(stream, evs) {
      const rev = await store.streamRevision(stream);
      await store.appendToStream(stream, evs, { expectedRevision: rev ?? 'no_stream' });
      const page = await store.readAll({ fromPosition: tree.size, max: 10_000 });
      for (const e of page.events) {
        tree.appendLeaf(canonicalBytes(toHashedForm(e)));
        events.push(e);
      }
    },
    note: (size) => signNote(checkpointBody(origin, size, tree.root(size)), [log, ...witnesses]),
    sources: () => ({
      inclusionProof: (i, n) => tree.inclusionProof(i, n),
      consistencyProof: (a, b) => tree.consistencyProof(a, b),
      checkpointAt: (n) => (n <= tree.size ? ledger.note(n) : undefined),
      latestCheckpoint: () => ledger.note(tree.size),
      verifierKeys: () => [log.vkey, ...witnesses.map((w) => w.vkey)],
      anchors: () => ledger.anchors,
    }),
    close: () => store.close(),
  };
  return ledger;
}

/**
 * Loan L1 with guarantee and dispute, interleaved with other parties' events that a bundle must not
 * disclose. Returns the ids used.
 */
export async function seedLoanStory(l: Ledger, loanId = 'L1', disputeId = 'D1'): Promise<void> {
  await l.append('enterprise-91310000MA1K000001', [makeEvent('EnterpriseRegistered', { name: 'other co' })]);
  await l.append(`loan-${loanId}`, [makeEvent('LoanApplied', { loanId, amountFen: 50_000_000 })]);
  await l.append('loan-OTHER', [makeEvent('LoanApplied', { loanId: 'OTHER', amountFen: 1_000_000 })]);
  await l.append(`loan-${loanId}`, [
    makeEvent('LoanApproved', { loanId, rateBps: 385 }),
    makeEvent('LoanDisbursed', { loanId, amountFen: 50_000_000 }),
  ]);
  await l.append(`guarantee-${loanId}`, [
    makeEvent('GuaranteeIssued', { loanId, coverageBps: 8000 }, 'guarantor-a'),
  ]);
  await l.append('loan-OTHER', [makeEvent('LoanApproved', { loanId: 'OTHER', rateBps: 400 })]);
  await l.append(`dispute-${disputeId}`, [
    makeEvent('DisputeFiled', { disputeId, loanId, claimFen: 12_345 }),
  ]);
  await l.append(`loan-${loanId}`, [makeEvent('LoanOverdue', { loanId, days: 31 })]);
}

/** A fabricated (not on chain) anchor record for offline tests. */
export function fakeAnchor(
  l: Ledger,
  size: number,
  status: 'included' | 'final' = 'final',
): AnchorRecordView {
  return {
    treeSize: size,
    root: `0x${Buffer.from(l.tree.root(size)).toString('hex')}`,
    chainId: 31337,
    contract: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
    logId: logIdForOrigin(l.log.name),
    txHash: `0x${'ab'.repeat(32)}`,
    blockNumber: 7,
    blockHash: `0x${'cd'.repeat(32)}`,
    status,
  };
}
