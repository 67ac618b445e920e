import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { verifyContractSignature } from '../../evidence/pdf/contractSignature.ts';
import { defaultKeysFile, defaultUrl, readKeysFile } from '../demo/keys.ts';
import { httpClient } from '../httpClient.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseCommandArgs } from '../output.ts';
import type { CliCommand } from './command.ts';

/**
 * `loan-ledger verify-contract <file.pdf> --loan ID [--url URL] [--key KEY] [--keys FILE]`: the file's
 * SHA-256 must be the document hash of the loan's ContractDrafted event, and every ContractSigned
 * signature (Ed25519 over the 32 hash bytes, docs/certificates.md) must verify over it.
 */

const HELP = `usage: loan-ledger verify-contract <contract.pdf> --loan ID [options]

Hashes the contract file (SHA-256) and checks it against the loan's record on the ledger:
the hash equals the ContractDrafted document hash, and each party's ContractSigned Ed25519
signature verifies over it.

options:
  --loan ID       the loan (required)
  --url URL       the ledger (default http://127.0.0.1:$PORT, PORT default 8080)
  --key KEY       API key of a party allowed to read the loan's timeline (default $LOAN_LEDGER_KEY,
                  else the regulator's key in $DATA_DIR/demo-keys.json)
  --keys FILE     the demo keys file to take the key from

exit codes: 0 all checks passed, 1 a check failed, 2 unreadable file, bad usage or the ledger unreachable`;

const Timeline = z.looseObject({
  events: z.array(z.looseObject({ type: z.string(), data: z.record(z.string(), z.unknown()) })),
});

const Signed = z.looseObject({
  documentSha256: z.string(),
  signer: z.looseObject({ org: z.string(), role: z.string() }),
  signature: z.string(),
  publicKey: z.string(),
});

function readerKey(explicit: string | undefined, keysFile: string | undefined): string {
  if (explicit) return explicit;
  if (process.env.LOAN_LEDGER_KEY) return process.env.LOAN_LEDGER_KEY;
  const keys = [...readKeysFile(keysFile ?? defaultKeysFile()).values()];
  const k = keys.find((x) => x.role === 'regulator') ?? keys.find((x) => x.role === 'bank');
  if (!k) throw new Error('demo-keys.json holds no regulator or bank key; pass --key');
  return k.apiKey;
}

export const verifyContractCommand: CliCommand = {
  summary: 'check a contract PDF against the loan’s ContractDrafted hash and signatures',
  help: HELP,
  async run(args) {
    const parsed = parseCommandArgs(
      {
        args,
        allowPositionals: true,
        options: {
          loan: { type: 'string' },
          url: { type: 'string' },
          key: { type: 'string' },
          keys: { type: 'string' },
        },
      },
      HELP,
    );
    if (!parsed) return EXIT_USAGE;
    const { values, positionals } = parsed;
    const file = positionals[0];
    if (!file || positionals.length > 1 || !values.loan) {
      console.error(`a contract file and --loan are required\n\n${HELP}`);
      return EXIT_USAGE;
    }
    let hash: string;
    try {
      hash = createHash('sha256')
        .update(await readFile(file))
        .digest('hex');
    } catch (e) {
      console.error(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
      return EXIT_USAGE;
    }
    let events: z.infer<typeof Timeline>['events'];
    try {
      const client = httpClient(values.url ?? defaultUrl(), readerKey(values.key, values.keys));
      events = (await client.get(`/v1/loans/${encodeURIComponent(values.loan)}/timeline`, Timeline)).events;
    } catch (e) {
      console.error(`cannot read the loan's timeline: ${e instanceof Error ? e.message : String(e)}`);
      return EXIT_USAGE;
    }

    const lines: [boolean, string][] = [[true, `file SHA-256 ${hash}`]];
    const drafted = events.filter((e) => e.type === 'ContractDrafted').at(-1)?.data.documentSha256;
    if (typeof drafted !== 'string') {
      lines.push([false, `loan ${values.loan} has no ContractDrafted event`]);
    } else {
      lines.push([
        drafted === hash,
        drafted === hash
          ? 'the hash equals the ContractDrafted document hash'
          : `the hash differs from the ContractDrafted document hash ${drafted}`,
      ]);
      const signatures = events
        .filter((e) => e.type === 'ContractSigned')
        .map((e) => Signed.safeParse(e.data));
      if (signatures.length === 0) lines.push([false, 'no party has signed the contract']);
      for (const s of signatures) {
        if (!s.success) {
          lines.push([false, 'a ContractSigned event does not have the expected fields']);
          continue;
        }
        const { signer, signature, publicKey, documentSha256 } = s.data;
        const who = `${signer.role} ${signer.org}`;
        const ok = verifyContractSignature(Buffer.from(publicKey, 'base64'), hash, signature);
        lines.push([
          ok,
          ok
            ? `${who}: Ed25519 signature verifies over the file's hash`
            : `${who}: signature does not verify over the file's hash${documentSha256 !== hash ? ' (signed another document)' : ''}`,
        ]);
      }
    }
    for (const [ok, text] of lines) console.log(`${ok ? '✓' : '✗'} ${text}`);
    const passed = lines.every(([ok]) => ok);
    console.log(passed ? 'contract verified' : 'contract NOT verified');
    return passed ? EXIT_OK : EXIT_FAILED;
  },
};
