import { readFile, stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { verifyBundle } from '../../evidence/bundle/verifyBundle.ts';
import type { CheckResult } from '../../evidence/bundle/verify.ts';
import { EXIT_USAGE, parseCommandArgs } from '../output.ts';
import type { CliCommand } from './command.ts';

/**
 * `loan-ledger verify <bundle.json> [--rpc URL] [--key VKEY]… [--origin ORIGIN] [--contract ADDR] [--json]`.
 * Needs no database and no access to our server. Exit 0 only when every check passed, 1 when any
 * failed, 2 when the input cannot be read (not a file, not JSON) or the options are wrong.
 */

const HELP = `usage: loan-ledger verify <bundle.json> [options]

Checks a loan-ledger/evidence/v1 bundle (docs/evidence-format.md): its schema, every event's canonical
bytes and leaf hash, every inclusion proof, the checkpoint signature(s), the consistency proof to the
latest checkpoint and, with --rpc, the anchor transaction on chain.

options:
  --rpc URL            EVM JSON-RPC node of the anchor's chain: check the anchor on chain
  --key VKEY           the log's published C2SP verifier key (repeatable; first = the log's key).
                       Without it, only the key carried by the bundle itself is used (reported).
  --origin ORIGIN      the log origin you expect (its checkpoint's first line)
  --contract ADDRESS   the MerkleAnchor contract you expect the anchor on
  --confirmations N    blocks that count as final when the node has no "finalized" tag (default 12)
  --json               machine-readable report on stdout

exit codes: 0 all checks passed, 1 a check failed, 2 unreadable input or bad usage`;

/**
 * Larger files are refused before they are read: the schema's caps apply only after parsing, and a
 * multi-gigabyte file would exhaust memory first. Our bundles are kilobytes to a few megabytes (a loan
 * with 100 events in a log of 10^6 is ~110 KB, docs/perf.md).
 */
export const MAX_BUNDLE_BYTES = 256 * 1024 * 1024;

const MARK: Record<CheckResult['status'], string> = { pass: '✓', fail: '✗', warn: '⚠', skip: '–' };

export const verifyCommand: CliCommand = {
  summary: 'verify an evidence bundle offline and, with --rpc, on chain',
  help: HELP,
  async run(args: string[]): Promise<number> {
    const parsed = parseCommandArgs(
      {
        args,
        allowPositionals: true,
        options: {
          rpc: { type: 'string' },
          key: { type: 'string', multiple: true },
          origin: { type: 'string' },
          contract: { type: 'string' },
          json: { type: 'boolean' },
          confirmations: { type: 'string' },
        },
      },
      HELP,
    );
    if (!parsed) return EXIT_USAGE;
    const { values, positionals } = parsed;
    if (positionals.length !== 1) {
      console.error(`verify takes exactly one bundle file\n\n${HELP}`);
      return EXIT_USAGE;
    }
    const confirmations = values.confirmations === undefined ? undefined : Number(values.confirmations);
    if (confirmations !== undefined && (!Number.isSafeInteger(confirmations) || confirmations < 1)) {
      console.error('--confirmations must be a positive integer');
      return EXIT_USAGE;
    }
    const file = positionals[0]!;
    let input: unknown;
    try {
      const { size } = await stat(file);
      if (size > MAX_BUNDLE_BYTES)
        throw new Error(
          `${size} bytes, over the verifier's limit of ${MAX_BUNDLE_BYTES} (not a bundle we write)`,
        );
      input = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      const why =
        e instanceof SyntaxError
          ? `not JSON: ${e.message}`
          : ((e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e)));
      if (values.json) console.log(JSON.stringify({ ok: false, file, error: `unreadable input: ${why}` }));
      else console.error(`cannot read ${file}: ${why}`);
      return EXIT_USAGE;
    }

    const report = await verifyBundle(input, {
      ...(values.key ? { trustedKeys: values.key } : {}),
      ...(values.origin !== undefined ? { expectedOrigin: values.origin } : {}),
      ...(values.contract !== undefined ? { expectedContract: values.contract } : {}),
      ...(values.rpc ? { rpcUrl: values.rpc } : {}),
      ...(confirmations !== undefined ? { confirmations } : {}),
    });
    if (values.json) {
      console.log(JSON.stringify({ ok: report.ok, file, checks: report.checks }, null, 2));
    } else {
      for (const c of report.checks) console.log(`${MARK[c.status]} ${c.check}: ${c.detail}`);
      const failed = report.checks.filter((c) => c.status === 'fail').length;
      console.log(report.ok ? `\nVERIFIED ${file}` : `\nNOT VERIFIED ${file}: ${failed} check(s) failed`);
    }
    return report.ok ? 0 : 1;
  },
};

// Runnable on its own (`tsx src/cli/commands/verify.ts bundle.json`) for verifiers without the full CLI.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await verifyCommand.run(process.argv.slice(2));
}
