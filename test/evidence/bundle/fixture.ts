import { generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { canonicalBytes } from '../../../src/events/canonicalJson.ts';
import {
  toHashedForm,
  type EventToAppend,
  type Json,
  type PositionedEvent,
} from '../../../src/events/envelope.ts';
import { newEventId } from '../../../src/events/ids.ts';
import type { AnchorRecordView, BundleSources } from '../../../src/evidence/bundle/build.ts';
import { keyIdOf } from '../../../src/evidence/bundle/note.ts';
import { MemoryTree, sha256 } from '../../../src/ledger/merkle.ts';
import type { EventStore } from '../../../src/store/eventStore.ts';
import { openSqliteEventStore } from '../../../src/store/sqlite/index.ts';

/**
 * A small real ledger for evidence tests: a SQLite event store (in memory), the Merkle tree of its total
 * order, an Ed25519 log key signing C2SP checkpoints, and anchor records (fabricated for offline tests,
 * real anvil transactions in the chain tests).
 */

export const ORIGIN = 'loan-ledger.test/log';

export interface TestLog {
  name: string;
  vkey: string;
  sign(body: string): string;
}

/** A C2SP Ed25519 signer; `cosigner` makes a tlog-cosignature/v1 witness (key type 0x04). */
export function makeSigner(name: string, cosigner = false): TestLog {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  const type = cosigner ? 0x04 : 0x01;
  const keyId = keyIdOf(name, type, raw);
  const vkey = `${name}+${Buffer.from(keyId).toString('hex')}+${Buffer.concat([Buffer.of(type), raw]).toString('base64')}`;
  return {
    name,
    vkey,
    sign: (body) => sigLine(name, keyId, privateKey, body, cosigner),
  };
}

function sigLine(name: string, keyId: Uint8Array, key: KeyObject, body: string, cosigner: boolean): string {
  if (!cosigner) {
    const sig = cryptoSign(null, Buffer.from(body), key);
    return `\u2014 ${name} ${Buffer.concat([keyId, sig]).toString('base64')}\n`;
  }
  const time = 1_767_225_600n;
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(time);
  const sig = cryptoSign(null, Buffer.from(`cosignature/v1\ntime ${time}\n${body}`), key);
  return `\u2014 ${name} ${Buffer.concat([keyId, ts, sig]).toString('base64')}\n`;
}

export const checkpointBody = (origin: string, size: number, root: Uint8Array): string =>
  `${origin}\n${size}\n${Buffer.from(root).toString('base64')}\n`;

export const signNote = (body: string, signers: TestLog[]): string =>
  `${body}\n${signers.map((s) => s.sign(body)).join('')}`;

/** The bytes32 log id the tests anchor under. */
export const logIdOf = (origin: string): string =>
  `0x${Buffer.from(sha256(new TextEncoder().encode(origin))).toString('hex')}`;

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
    logId: logIdOf(ORIGIN),
    txHash: `0x${'ab'.repeat(32)}`,
    blockNumber: 7,
    blockHash: `0x${'cd'.repeat(32)}`,
    status,
  };
}
