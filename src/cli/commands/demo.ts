import { resolve } from 'node:path';
import { ApiProblem } from '../httpClient.ts';
import { defaultKeysFile, defaultUrl, readKeysFile } from '../demo/keys.ts';
import { runDemo } from '../demo/runDemo.ts';
import { EXIT_USAGE, parseCommandArgs } from '../output.ts';
import type { CliCommand } from './command.ts';

export const demoCommand: CliCommand = {
  summary: 'drive a realistic two-loan scenario (4321, default, arbitration) through the HTTP API',
  help: `usage: loan-ledger demo [--url URL] [--out DIR] [--keys FILE] [--wait-final SECONDS]

Acts as the demo organizations (keys from <DATA_DIR>/demo-keys.json, written by \`serve\` on first
start) against a running ledger: two enterprises register and authorize the bank; the bank publishes a
pure credit and a guaranteed product; one enterprise borrows on credit and repays in full; the other
borrows under Hunan 4321, defaults; the guarantor compensates (代偿), every level reimburses its share,
a partial recovery (追偿) is shared back; online arbitration ends in an award; the notarized contract
yields an enforcement certificate. Then it waits for the anchors to reach final, prints the amounts per
party, and writes each loan's evidence bundle and PDF certificate (or its timeline) into DIR.

options:
  --url URL             the ledger (default http://127.0.0.1:$PORT, PORT default 8080)
  --out DIR             where to write the files (default ./demo-out)
  --keys FILE           the demo keys (default $DATA_DIR/demo-keys.json, DATA_DIR default ./data)
  --wait-final SECONDS  how long to wait for anchors to reach final (default 300; 0: do not wait)

exit codes: 0 every step succeeded and anchors are final; 1 a step failed (its name and the server's
problem code and detail are printed); 2 bad usage or no keys; 3 the scenario ran but some steps were
skipped (the server lacks their routes) or anchors did not reach final in time.`,
  async run(args) {
    const parsed = parseCommandArgs(
      {
        args,
        options: {
          url: { type: 'string' },
          out: { type: 'string' },
          keys: { type: 'string' },
          'wait-final': { type: 'string' },
        },
      },
      demoCommand.help,
    );
    if (!parsed) return EXIT_USAGE;
    const { values } = parsed;
    const waitSeconds = Number(values['wait-final'] ?? '300');
    if (!Number.isInteger(waitSeconds) || waitSeconds < 0) {
      console.error('--wait-final takes a whole number of seconds ≥ 0');
      return EXIT_USAGE;
    }
    let keys;
    try {
      keys = readKeysFile(values.keys ?? defaultKeysFile());
    } catch (e) {
      console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
      return EXIT_USAGE;
    }
    const url = values.url ?? defaultUrl();
    const outDir = resolve(values.out ?? './demo-out');
    console.log(`loan-ledger demo against ${url}`);
    const result = await runDemo({ url, keys, outDir, waitFinalMs: waitSeconds * 1000 });
    if (result.failure) {
      const cause = result.failure.cause;
      console.error(`\nFAILED at step "${result.failure.step}"`);
      if (cause instanceof ApiProblem) {
        console.error(`  ${cause.method} ${cause.path} → HTTP ${cause.status}`);
        console.error(`  code:   ${cause.code}`);
        console.error(`  detail: ${cause.problem.detail ?? cause.problem.title ?? ''}`);
        console.error(`  problem: ${JSON.stringify(cause.problem)}`);
      } else {
        console.error(`  ${cause instanceof Error ? cause.message : String(cause)}`);
      }
      return result.exitCode;
    }
    console.log(`\n${result.steps.length} steps succeeded.`);
    if (result.skipped.length > 0) {
      console.log(`${result.skipped.length} part(s) not done:`);
      for (const s of result.skipped) console.log(`  - ${s.phase}: ${s.reason}`);
    }
    return result.exitCode;
  },
};
