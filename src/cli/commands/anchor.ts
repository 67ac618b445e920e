import { z } from 'zod';
import { Anchors, treeSizeOf } from '../demo/anchors.ts';
import { defaultUrl, logReaderKey } from '../demo/keys.ts';
import { ApiProblem, httpClient } from '../httpClient.ts';
import { EXIT_FAILED, EXIT_USAGE, parseCommandArgs } from '../output.ts';
import type { CliCommand } from './command.ts';

const OpenApi = z.looseObject({ paths: z.record(z.string(), z.record(z.string(), z.unknown())) });
/** Where an "anchor now" route would be; the server is asked for it only if its OpenAPI lists one. */
const ANCHOR_NOW_PATHS = ['/v1/log/anchors', '/v1/log/anchors/now', '/v1/anchors'];

const help = `usage: loan-ledger anchor now [--url URL] [--operator-key KEY] [--keys FILE]

Asks the ledger to anchor its log on the chain now, when the server offers that route; otherwise says
so and shows where anchoring stands (the server anchors every ANCHOR_EVERY_EVENTS events or
ANCHOR_EVERY_SECONDS seconds). Either way it prints the log size and the latest anchors with status.

exit codes: 0 done; 1 the server refused or is unreachable; 2 bad usage.`;

export const anchorCommand: CliCommand = {
  summary: 'anchor the log now (or show the latest anchors and their status)',
  help,
  async run(args) {
    const [action, ...rest] = args;
    const parsed = parseCommandArgs(
      {
        args: rest,
        options: { url: { type: 'string' }, 'operator-key': { type: 'string' }, keys: { type: 'string' } },
      },
      help,
    );
    if (!parsed) return EXIT_USAGE;
    const { values } = parsed;
    if (action !== 'now') {
      console.error(`unknown action: ${action ?? '(none)'}\n\n${help}`);
      return EXIT_USAGE;
    }
    const url = values.url ?? defaultUrl();
    try {
      const publicClient = httpClient(url);
      const doc = await publicClient.get('/docs/openapi.json', OpenApi);
      const route = ANCHOR_NOW_PATHS.find((p) => doc.paths[p]?.post !== undefined);
      if (route) {
        const client = httpClient(url, logReaderKey(values['operator-key'], values.keys));
        const res = await client.post(route, {}, z.unknown());
        console.log(`anchoring requested: ${JSON.stringify(res)}`);
      } else {
        console.log(
          'this server has no "anchor now" route: it anchors on its own schedule (see ANCHOR_EVERY_*)',
        );
      }
      const size = treeSizeOf(await publicClient.getText('/v1/log/checkpoint'));
      const latest = await publicClient.get('/v1/log/anchors?order=desc&limit=10', Anchors);
      console.log(`log size ${size}; ${latest.length === 0 ? 'no anchors yet' : 'latest anchors:'}`);
      for (const a of [...latest].sort((x, y) => x.treeSize - y.treeSize)) {
        const covers = a.treeSize >= size ? '  (covers the whole log)' : '';
        console.log(
          `  tree size ${String(a.treeSize).padStart(8)}  ${a.status.padEnd(9)} tx ${a.txHash}${covers}`,
        );
      }
      return 0;
    } catch (e) {
      if (!(e instanceof ApiProblem)) throw e;
      console.error(`error ${e.code}: ${e.problem.detail ?? e.problem.title ?? ''}`);
      return EXIT_FAILED;
    }
  },
};
