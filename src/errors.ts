/**
 * One error type for the whole ledger, with one table of stable codes (like fastify's FST_ERR_* list
 * and trpc's TRPCError). Every boundary turns a LedgerError into RFC 9457 problem+json using this
 * table; clients key on `code`, never on the message.
 *
 * Add a code here, never inline elsewhere. Codes are part of the public API: never rename one.
 */
export const errorCodes = {
  // Input
  LL_VALIDATION_FAILED: { status: 400, title: 'The request does not match the schema' },
  LL_INVALID_STREAM_NAME: { status: 400, title: 'The stream name is not valid' },
  LL_INVALID_EXPECTED_REVISION: { status: 400, title: 'The expected revision is not valid' },
  LL_EVENT_TOO_LARGE: { status: 413, title: 'The event is larger than the limit' },
  LL_BODY_TOO_LARGE: { status: 413, title: 'The request body is larger than the limit' },
  LL_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request body must be application/json' },
  LL_INVALID_QUERY: { status: 400, title: 'A query parameter is not valid' },
  LL_MALFORMED_BODY: { status: 400, title: 'The request body is not well-formed JSON' },
  LL_ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  // Auth
  LL_UNAUTHENTICATED: { status: 401, title: 'No valid API key was given' },
  LL_FORBIDDEN: { status: 403, title: 'This key may not do that' },
  LL_AUTHORIZATION_REQUIRED: { status: 403, title: "The enterprise's live authorization is required" },
  LL_RATE_LIMITED: { status: 429, title: 'Too many requests for this key' },
  // Resources and concurrency
  LL_NOT_FOUND: { status: 404, title: 'No such resource' },
  LL_WRONG_EXPECTED_REVISION: { status: 409, title: 'The stream is not at the expected revision' },
  LL_PRECONDITION_FAILED: { status: 412, title: 'If-Match does not match the current revision' },
  LL_EVENT_ID_CONFLICT: { status: 409, title: 'An event with this id is already stored with other content' },
  LL_IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The Idempotency-Key was used with a different body' },
  LL_CONCURRENCY_RETRIES_EXHAUSTED: {
    status: 409,
    title: 'The command kept conflicting with concurrent writes',
  },
  // Domain
  LL_DOMAIN_RULE_VIOLATED: { status: 422, title: 'The command breaks a rule of the financing process' },
  // Log and evidence
  LL_LOG_INTEGRITY: { status: 500, title: 'The stored Merkle log does not match the event store' },
  LL_PROOF_INVALID: { status: 422, title: 'A proof does not verify' },
  LL_CHECKPOINT_INCONSISTENT: { status: 409, title: 'The checkpoint is not consistent with the last one' },
  LL_EVIDENCE_NOT_ANCHORED: {
    status: 409,
    title: 'The events are not covered by an anchored checkpoint yet',
  },
  LL_CONTRACT_NOT_HELD: {
    status: 404,
    title: 'The ledger holds only the contract’s hash: it was drafted outside the ledger',
  },
  LL_DOCUMENT_INTEGRITY: { status: 500, title: 'A stored document does not match its recorded SHA-256' },
  // Infrastructure
  LL_STORE_UNAVAILABLE: { status: 503, title: 'The event store cannot take writes right now' },
  LL_CHAIN_UNAVAILABLE: { status: 503, title: 'The chain node cannot be reached' },
  LL_INTERNAL: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCodes;

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra members for the problem document (field paths, stream, revisions, rule). No secrets, no PII. */
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get status(): number {
    return errorCodes[this.code].status;
  }
}

export const isLedgerError = (e: unknown): e is LedgerError => e instanceof LedgerError;
