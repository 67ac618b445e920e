import { z } from 'zod';

/**
 * The evidence bundle, `loan-ledger/evidence/v1` (docs/evidence-format.md is the normative text; this
 * schema is its machine form). Only authoritative data is carried: anything derivable (leaf hashes,
 * roots, tree sizes) is derived by the verifier from the signed note and the bytes, so a bundle cannot
 * say two different things about the same fact.
 *
 * Encodings: Merkle hashes and event bytes are standard base64 with padding (RFC 4648 §4), like the
 * C2SP checkpoint and our log API; chain values are 0x-hex as EVM JSON-RPC writes them.
 */

export const BUNDLE_FORMAT = 'loan-ledger/evidence/v1';

/** Standard base64 with padding, nothing else (no whitespace, no URL alphabet). */
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
export const Base64 = z.string().regex(BASE64_RE, 'must be standard padded base64');
/** A SHA-256 value in base64: 44 characters, the last one '='. */
export const Base64Hash = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be a 32-byte hash in base64');
const Hex32 = z.string().regex(/^0x[0-9a-f]{64}$/, 'must be 0x and 64 lowercase hex digits');
// Lowercase only: one spelling per value, so no byte of a bundle can change without changing a fact.
const Address = z.string().regex(/^0x[0-9a-f]{40}$/, 'must be 0x and 40 lowercase hex digits');
const Index = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** What the bundle is about. `event`: one event id; `loan`/`dispute`: that aggregate's id. */
export const Subject = z.strictObject({
  kind: z.enum(['loan', 'dispute', 'event']),
  id: z.string().min(1).max(200),
});
export type Subject = z.infer<typeof Subject>;

/** One disclosed event: its exact leaf bytes and where it sits in the log. */
export const BundleEvent = z.strictObject({
  /** Leaf index in the Merkle log (0-based). */
  index: Index,
  /** base64 of the UTF-8 RFC 8785 canonical JSON of the recorded event: exactly the bytes hashed as the leaf. */
  canonical: Base64.min(4).max(2_000_000),
  /** RFC 9162 inclusion path of `index` in the tree of the anchored checkpoint, leaf side first. */
  inclusionProof: z.array(Base64Hash).max(64),
});
export type BundleEvent = z.infer<typeof BundleEvent>;

/** A C2SP signed note (tlog-checkpoint body + signature lines), verbatim, ending with a newline. */
export const SignedNote = z.string().min(10).max(100_000);

export const Anchor = z.strictObject({
  /** EIP-155 chain id. */
  chainId: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** The MerkleAnchor contract. */
  contract: Address,
  /** bytes32 log id passed to `anchor(logId, treeSize, root)`. */
  logId: Hex32,
  txHash: Hex32,
  blockNumber: Index,
  blockHash: Hex32,
  /**
   * The ledger's view when the bundle was made. Not evidence: the verifier never relies on it; with
   * --rpc it asks the chain whether the block is final.
   */
  status: z.enum(['included', 'final']),
});
export type Anchor = z.infer<typeof Anchor>;

export const EvidenceBundle = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  subject: Subject,
  /**
   * C2SP verifier keys (`<name>+<8 hex key id>+<base64(0x01 ‖ Ed25519 public key)>`): the log's key
   * first, then witnesses' keys if the checkpoints carry cosignatures. Self-asserted: pin with --key.
   */
  verifierKeys: z.array(z.string().min(1).max(1000)).min(1).max(16),
  events: z.array(BundleEvent).min(1).max(100_000),
  /** The anchored checkpoint every inclusion proof leads to. */
  checkpoint: SignedNote,
  anchor: Anchor,
  latest: z.strictObject({
    /** The newest signed checkpoint when the bundle was made (may equal `checkpoint`). */
    checkpoint: SignedNote,
    /** RFC 9162 consistency proof from the anchored checkpoint's tree to the latest one. */
    consistencyProof: z.array(Base64Hash).max(128),
  }),
});
export type EvidenceBundle = z.infer<typeof EvidenceBundle>;
