import { logIdForOrigin } from '../../anchor/config.ts';
import { canonicalJson } from '../../events/canonicalJson.ts';
import { RecordedEvent } from '../../events/envelope.ts';
import { leafHash, verifyConsistency, verifyInclusion, type Hash } from '../../ledger/merkle.ts';
import { EvidenceBundle, type Subject } from './format.ts';
import {
  decodeB64,
  isWitnessKey,
  parseCheckpointNote,
  parseVerifierKey,
  signatureValid,
  type ParsedCheckpoint,
  type VerifierKey,
} from './note.ts';
import { LOAN_STREAM_CATEGORIES } from './subjects.ts';

/**
 * The offline half of `loan-ledger verify`: pure, no database, no server, no network. Runs the checks
 * of docs/evidence-format.md §"Verification" in order and reports each with its reason. It never throws
 * on any input: a bundle is untrusted data.
 */

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';
export interface CheckResult {
  /** Stable id, e.g. `checkpoint.signature`; tests and `--json` users key on it. */
  check: string;
  status: CheckStatus;
  detail: string;
}

export interface VerifyOptions {
  /** Verifier keys the caller trusts for the log (`--key`); the first is the log's key. */
  trustedKeys?: readonly string[];
  /** The log origin the caller expects (`--origin`). */
  expectedOrigin?: string;
  /** The anchor contract the caller expects (`--contract`), any case. */
  expectedContract?: string;
}

export interface OfflineResult {
  ok: boolean;
  checks: CheckResult[];
  /** Set when the schema check passed. */
  bundle?: EvidenceBundle;
  /** Set when the anchored checkpoint parsed: what the chain check compares the anchor with. */
  checkpoint?: { origin: string; treeSize: number; root: Hash };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

class Report {
  readonly checks: CheckResult[] = [];
  add(check: string, status: CheckStatus, detail: string): boolean {
    this.checks.push({ check, status, detail });
    return status !== 'fail';
  }
  get ok(): boolean {
    return this.checks.every((c) => c.status !== 'fail');
  }
}

export function verifyBundleOffline(input: unknown, options: VerifyOptions = {}): OfflineResult {
  const r = new Report();
  try {
    return run(input, options, r);
  } catch (e) {
    // Defence in depth: a bug here must read as a failed verification, never as a pass or a crash.
    r.add('internal', 'fail', `the verifier failed: ${e instanceof Error ? e.message : String(e)}`);
    return { ok: false, checks: r.checks };
  }
}

function run(input: unknown, options: VerifyOptions, r: Report): OfflineResult {
  // 1. Schema.
  const parsed = EvidenceBundle.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    r.add(
      'schema',
      'fail',
      `not a ${'loan-ledger/evidence/v1'} bundle: ${first?.path.join('.') || '(root)'}: ${first?.message}`,
    );
    return { ok: false, checks: r.checks };
  }
  const bundle = parsed.data;
  r.add(
    'schema',
    'pass',
    `format ${bundle.format}, ${bundle.events.length} event(s) about ${bundle.subject.kind} ${bundle.subject.id}`,
  );

  // 2. Keys: whose signatures count.
  const keys = resolveKeys(bundle, options, r);

  // 3. The anchored checkpoint: well-formed, signed.
  const cp = parseCheckpointNote(bundle.checkpoint);
  if (!cp) r.add('checkpoint.note', 'fail', 'checkpoint is not a C2SP tlog-checkpoint signed note');
  else
    r.add('checkpoint.note', 'pass', `origin "${cp.origin}", tree size ${cp.treeSize}, root ${b64(cp.root)}`);
  if (cp && options.expectedOrigin !== undefined) {
    r.add(
      'log.origin',
      cp.origin === options.expectedOrigin ? 'pass' : 'fail',
      cp.origin === options.expectedOrigin
        ? `origin is the expected "${options.expectedOrigin}"`
        : `origin "${cp.origin}" is not the expected "${options.expectedOrigin}": a bundle from another log`,
    );
  }
  if (cp && keys) checkSignatures('checkpoint.signature', cp, keys, r);
  else r.add('checkpoint.signature', 'skip', 'not checked: no parsed checkpoint or keys');

  // The anchor names the log by SHA-256 of its origin: the chain's Anchored event must carry this id.
  if (cp) {
    const expectedId = logIdForOrigin(cp.origin);
    r.add(
      'anchor.logId',
      bundle.anchor.logId === expectedId ? 'pass' : 'fail',
      bundle.anchor.logId === expectedId
        ? `anchor log id ${expectedId} = SHA-256(origin)`
        : `anchor log id ${bundle.anchor.logId} is not SHA-256 of the origin "${cp.origin}" (${expectedId})`,
    );
  }

  if (options.expectedContract !== undefined) {
    const want = options.expectedContract.toLowerCase();
    r.add(
      'anchor.contract',
      bundle.anchor.contract === want ? 'pass' : 'fail',
      bundle.anchor.contract === want
        ? `anchored on the expected contract ${want}`
        : `anchored on contract ${bundle.anchor.contract}, not the expected ${want}: another deployment`,
    );
  }

  // 4. Events: bytes, subject, inclusion.
  const leaves = checkEvents(bundle, r);
  checkSubject(bundle.subject, leaves?.events, r);
  if (cp && leaves) checkInclusion(bundle, cp, leaves.hashes, r);
  else r.add('events.inclusion', 'skip', 'not checked: the checkpoint or the events did not parse');

  // 5. The latest checkpoint and consistency.
  const latest = parseCheckpointNote(bundle.latest.checkpoint);
  if (!latest) r.add('latest.note', 'fail', 'latest checkpoint is not a C2SP tlog-checkpoint signed note');
  else r.add('latest.note', 'pass', `tree size ${latest.treeSize}, root ${b64(latest.root)}`);
  if (latest && keys) checkSignatures('latest.signature', latest, keys, r, true);
  else r.add('latest.signature', 'skip', 'not checked: no parsed latest checkpoint or keys');
  if (cp && latest) checkConsistency(bundle, cp, latest, r);
  else r.add('consistency', 'skip', 'not checked: a checkpoint did not parse');

  return {
    ok: r.ok,
    checks: r.checks,
    bundle,
    ...(cp ? { checkpoint: { origin: cp.origin, treeSize: cp.treeSize, root: cp.root } } : {}),
  };
}

const b64 = (h: Uint8Array) => Buffer.from(h).toString('base64');

interface KeySet {
  log: VerifierKey;
  all: VerifierKey[];
}

function resolveKeys(bundle: EvidenceBundle, options: VerifyOptions, r: Report): KeySet | undefined {
  const own = bundle.verifierKeys.map((k) => ({ text: k, key: parseVerifierKey(k) }));
  const bad = own.find((k) => !k.key);
  if (bad) {
    r.add('keys', 'fail', `verifier key "${bad.text.slice(0, 80)}" is not a valid C2SP Ed25519 key`);
    return undefined;
  }
  const bundleKeys = own.map((k) => k.key!);
  if (isWitnessKey(bundleKeys[0]!)) {
    r.add('keys', 'fail', "the first verifier key must be the log's Ed25519 signing key (type 0x01)");
    return undefined;
  }
  if (!options.trustedKeys || options.trustedKeys.length === 0) {
    r.add(
      'keys',
      'warn',
      `only the bundle's own key "${bundleKeys[0]!.name}" (id ${hex(bundleKeys[0]!.keyId)}): a key inside the bundle proves nothing about who made it; pin the log's published key with --key`,
    );
    return { log: bundleKeys[0]!, all: bundleKeys };
  }
  const pinned = options.trustedKeys.map((k) => ({ text: k, key: parseVerifierKey(k) }));
  const badPin = pinned.find((k) => !k.key);
  if (badPin) {
    r.add('keys', 'fail', `--key "${badPin.text.slice(0, 80)}" is not a valid C2SP Ed25519 verifier key`);
    return undefined;
  }
  const log = pinned[0]!.key!;
  if (isWitnessKey(log)) {
    r.add('keys', 'fail', '--key: the first pinned key must be a log signing key (type 0x01)');
    return undefined;
  }
  // Pinned keys replace the bundle's key of the same name; the bundle's witness keys still name signers.
  const all = [
    ...pinned.map((p) => p.key!),
    ...bundleKeys.filter((b) => !pinned.some((p) => p.key!.name === b.name)),
  ];
  const same = bundleKeys[0]!.vkey === log.vkey;
  r.add(
    'keys',
    'pass',
    `pinned log key "${log.name}" (id ${hex(log.keyId)})${same ? ', the same as the bundle carries' : "; the bundle's own key differs and is ignored"}`,
  );
  return { log, all };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * Every signature line must be by a known key and valid (a bundle carries no bytes nobody checks); the
 * log key must be among them. Witness cosignatures are required on the anchored checkpoint only.
 */
function checkSignatures(id: string, note: ParsedCheckpoint, keys: KeySet, r: Report, latest = false): void {
  const seen = new Set<string>();
  const signers: string[] = [];
  for (const s of note.signatures) {
    const tag = `${s.name}/${hex(s.keyId)}`;
    if (seen.has(tag)) {
      r.add(id, 'fail', `two signature lines by "${s.name}"`);
      return;
    }
    seen.add(tag);
    const key = keys.all.find((k) => k.name === s.name && hex(k.keyId) === hex(s.keyId));
    if (!key) {
      r.add(
        id,
        'fail',
        `signature by "${s.name}" (id ${hex(s.keyId)}), a key this verification does not know`,
      );
      return;
    }
    if (!signatureValid(note, s, key)) {
      r.add(
        id,
        'fail',
        `the signature by "${s.name}" does not verify: the checkpoint text or signature was altered`,
      );
      return;
    }
    signers.push(isWitnessKey(key) ? `witness "${s.name}"` : `"${s.name}"`);
  }
  if (!seen.has(`${keys.log.name}/${hex(keys.log.keyId)}`)) {
    r.add(id, 'fail', `not signed by the log key "${keys.log.name}" (id ${hex(keys.log.keyId)})`);
    return;
  }
  if (!latest) {
    const missing = keys.all.filter((k) => !seen.has(`${k.name}/${hex(k.keyId)}`));
    if (missing.length > 0) {
      r.add(id, 'fail', `no signature by listed key "${missing[0]!.name}"`);
      return;
    }
  }
  r.add(id, 'pass', `Ed25519 signature(s) valid: ${signers.join(', ')}`);
}

interface DecodedEvents {
  hashes: Hash[];
  events: RecordedEvent[];
}

function checkEvents(bundle: EvidenceBundle, r: Report): DecodedEvents | undefined {
  const hashes: Hash[] = [];
  const events: RecordedEvent[] = [];
  let prev = -1;
  for (const [i, e] of bundle.events.entries()) {
    const where = `event #${i} (log index ${e.index})`;
    if (e.index <= prev) {
      r.add('events.canonical', 'fail', `${where}: events must be in strictly increasing log index order`);
      return undefined;
    }
    prev = e.index;
    const bytes = decodeB64(e.canonical);
    if (!bytes) {
      r.add('events.canonical', 'fail', `${where}: not canonical base64`);
      return undefined;
    }
    let text: string;
    let value: unknown;
    try {
      text = utf8.decode(bytes);
      value = JSON.parse(text);
    } catch {
      r.add('events.canonical', 'fail', `${where}: the bytes are not UTF-8 JSON`);
      return undefined;
    }
    const ev = RecordedEvent.safeParse(value);
    if (!ev.success) {
      const first = ev.error.issues[0];
      r.add(
        'events.canonical',
        'fail',
        `${where}: not a recorded event: ${first?.path.join('.')}: ${first?.message}`,
      );
      return undefined;
    }
    let again: string | undefined;
    try {
      again = canonicalJson(value);
    } catch {
      again = undefined;
    }
    if (again !== text) {
      r.add(
        'events.canonical',
        'fail',
        `${where}: the bytes are not the RFC 8785 canonical form of the event`,
      );
      return undefined;
    }
    hashes.push(leafHash(bytes));
    events.push(ev.data);
  }
  r.add(
    'events.canonical',
    'pass',
    `${events.length} event(s): canonical RFC 8785 bytes re-derived, leaf hashes computed`,
  );
  return { hashes, events };
}

/** The events are what the subject says, and each disclosed stream is a gap-free prefix from revision 0. */
function checkSubject(subject: Subject, events: RecordedEvent[] | undefined, r: Report): void {
  if (!events) {
    r.add('subject', 'skip', 'not checked: the events did not decode');
    return;
  }
  const fail = (why: string) => r.add('subject', 'fail', `${subject.kind} ${subject.id}: ${why}`);
  let allowed: Set<string>;
  if (subject.kind === 'event') {
    if (events.length !== 1 || events[0]!.id !== subject.id)
      return void fail('the bundle must hold exactly that one event');
    r.add('subject', 'pass', `event ${subject.id} (${events[0]!.type} in ${events[0]!.stream})`);
    return;
  } else if (subject.kind === 'loan') {
    allowed = new Set(LOAN_STREAM_CATEGORIES.map((c) => `${c}-${subject.id}`));
    if (!events.some((e) => e.stream === `loan-${subject.id}`))
      return void fail(`no event of stream loan-${subject.id}`);
  } else {
    const own = events.filter((e) => e.stream === `dispute-${subject.id}`);
    if (own.length === 0) return void fail(`no event of stream dispute-${subject.id}`);
    const first = own.find((e) => e.revision === 0);
    const loanId = first?.data.loanId;
    allowed = new Set([`dispute-${subject.id}`]);
    if (typeof loanId === 'string') for (const c of LOAN_STREAM_CATEGORIES) allowed.add(`${c}-${loanId}`);
  }
  const stray = events.find((e) => !allowed.has(e.stream));
  if (stray) return void fail(`event ${stray.id} of stream ${stray.stream} does not belong to it`);
  const revisions = new Map<string, number[]>();
  for (const e of events) revisions.set(e.stream, [...(revisions.get(e.stream) ?? []), e.revision]);
  for (const [stream, revs] of revisions) {
    if (!revs.every((rev, i) => rev === i))
      return void fail(`stream ${stream} is not complete: revisions ${revs.join(',')}`);
  }
  const streams = [...revisions].map(([s, revs]) => `${s} 0..${revs.length - 1}`);
  r.add(
    'subject',
    'pass',
    `${events.length} event(s), every stream gap-free from revision 0: ${streams.join('; ')}`,
  );
}

function checkInclusion(bundle: EvidenceBundle, cp: ParsedCheckpoint, hashes: Hash[], r: Report): void {
  for (const [i, e] of bundle.events.entries()) {
    const path = e.inclusionProof.map((p) => decodeB64(p));
    if (path.some((p) => p === undefined)) {
      r.add('events.inclusion', 'fail', `event #${i}: a proof hash is not canonical base64`);
      return;
    }
    if (!verifyInclusion(e.index, cp.treeSize, hashes[i]!, path as Hash[], cp.root)) {
      r.add(
        'events.inclusion',
        'fail',
        `event #${i} (log index ${e.index}): the inclusion proof does not lead to the checkpoint root of size ${cp.treeSize}`,
      );
      return;
    }
  }
  r.add(
    'events.inclusion',
    'pass',
    `${hashes.length} inclusion proof(s) lead to the checkpoint root (tree size ${cp.treeSize})`,
  );
}

function checkConsistency(
  bundle: EvidenceBundle,
  cp: ParsedCheckpoint,
  latest: ParsedCheckpoint,
  r: Report,
): void {
  if (latest.origin !== cp.origin) {
    r.add('consistency', 'fail', `the latest checkpoint is of another log ("${latest.origin}")`);
    return;
  }
  const path = bundle.latest.consistencyProof.map((p) => decodeB64(p));
  if (path.some((p) => p === undefined)) {
    r.add('consistency', 'fail', 'a consistency proof hash is not canonical base64');
    return;
  }
  if (!verifyConsistency(cp.treeSize, latest.treeSize, cp.root, latest.root, path as Hash[])) {
    r.add(
      'consistency',
      'fail',
      `the consistency proof from size ${cp.treeSize} to ${latest.treeSize} does not verify`,
    );
    return;
  }
  r.add(
    'consistency',
    'pass',
    `the log of size ${latest.treeSize} extends the anchored tree of size ${cp.treeSize}`,
  );
}
