import { z } from 'zod';
import { ANCHOR_STATUS_LABELS, ORG_ROLES, type AnchorStatus } from './labels.ts';

/**
 * What the 存证证书 (evidence certificate) states: plain data, taken from an evidence bundle and its
 * anchor by the caller. Amounts are integer fen; hashes are lowercase hex; times are UTC instants.
 */
const hex32 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 32 bytes as 64 lowercase hex digits');
const ethHash = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 0x-prefixed 32-byte hash');
const ethAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte address');
const instant = z.iso.datetime({ offset: true });
const fen = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const text = (max: number) => z.string().trim().min(1).max(max);

export const orgRoleSchema = z.enum(ORG_ROLES);

export const certificatePartySchema = z.object({
  role: orgRoleSchema,
  name: text(120),
  /** 统一社会信用代码, when the party is an organization registered in China. */
  uscc: z
    .string()
    .regex(/^[0-9A-HJ-NPQRTUWXY]{18}$/)
    .optional(),
});

export const certificateEventSchema = z.object({
  recordedAt: instant,
  /** The recorded event's type, e.g. LoanDisbursed. */
  type: text(80),
  /** Its Chinese description, e.g. 放款, when the caller has one. */
  label: text(40).optional(),
  actor: z.object({ org: text(120), role: orgRoleSchema, name: text(120).optional() }),
  logIndex: z.number().int().nonnegative(),
  /** RFC 9162 leaf hash SHA-256(0x00 ‖ canonical event bytes). */
  leafHash: hex32,
});

export const certificateInputSchema = z
  .object({
    certificateNo: text(64),
    /** The certificate's date; also the PDF's CreationDate, so the same input renders the same bytes. */
    issuedAt: instant,
    issuer: text(120),
    loan: z.object({
      id: text(64),
      amountFen: fen,
      productName: text(120).optional(),
      termMonths: z.number().int().positive().max(600).optional(),
      /** SHA-256 of the signed contract PDF, when there is one. */
      contractSha256: hex32.optional(),
    }),
    parties: z.array(certificatePartySchema).min(1).max(30),
    events: z.array(certificateEventSchema).min(1).max(5_000),
    checkpoint: z.object({
      origin: text(200),
      treeSize: z.number().int().positive(),
      rootHash: hex32,
      /** Who signed the checkpoint note: the log itself and any witnesses (a court, a guarantor…). */
      signers: z
        .array(
          z.object({
            name: text(120),
            keyId: z
              .string()
              .regex(/^[0-9a-f]{8}$/)
              .optional(),
          }),
        )
        .max(10),
    }),
    anchor: z.object({
      chainId: z.number().int().positive(),
      chainName: text(80).optional(),
      contract: ethAddress,
      txHash: ethHash,
      blockNumber: z.number().int().nonnegative(),
      blockHash: ethHash.optional(),
      blockTime: instant,
      status: z.enum(Object.keys(ANCHOR_STATUS_LABELS) as [AnchorStatus, ...AnchorStatus[]]),
      confirmations: z.number().int().nonnegative().optional(),
    }),
    bundle: z.object({ sha256: hex32, fileName: text(200).optional() }),
    /** A public JSON-RPC endpoint a verifier may use, and where the published spec lives. */
    verification: z.object({ rpcUrl: z.url().optional(), specUrl: z.url().optional() }).optional(),
  })
  .superRefine((input, ctx) => {
    // A certificate must not claim that the checkpoint covers an event it cannot contain.
    input.events.forEach((e, i) => {
      if (e.logIndex >= input.checkpoint.treeSize) {
        ctx.addIssue({
          code: 'custom',
          path: ['events', i, 'logIndex'],
          message: `log index ${e.logIndex} is not below the checkpoint's tree size ${input.checkpoint.treeSize}`,
        });
      }
    });
  });

export type CertificateInput = z.infer<typeof certificateInputSchema>;
export type CertificateEvent = z.infer<typeof certificateEventSchema>;
