import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { z } from 'zod';
import { treeSizeOf } from '../demo/anchors.ts';
import { defaultUrl, logReaderKey } from '../demo/keys.ts';
import { ApiProblem, httpClient, type HttpClient } from '../httpClient.ts';
import { EXIT_FAILED, EXIT_USAGE, parseCommandArgs, progressBar } from '../output.ts';
import type { CliCommand } from './command.ts';

export const EXPORT_PAGE = 1000;
const Entries = z.object({ entries: z.array(z.object({ index: z.number().int(), leaf: z.string() })) });

const help = `usage: loan-ledger export [--url URL] [--out FILE] [--operator-key KEY] [--keys FILE]

Streams the whole Merkle log to an NDJSON file (default ./log-export.ndjson) so a third party can
recompute the tree (docs/hashing.md) and check it against the signed checkpoint:
  line 1     {"type":"checkpoint","treeSize":N,"checkpoint":"<C2SP note>","verifierKey":"<vkey>"}
  then N     {"type":"leaf","index":i,"leaf":"<base64 canonical leaf bytes>"}  for i = 0 … N-1
Only leaves below the checkpoint's tree size are exported, so the file is consistent with it.
Needs an operator or regulator key (default $LOAN_LEDGER_KEY, else demo-keys.json).

exit codes: 0 written; 1 the server refused or is unreachable; 2 bad usage.`;

/** Writes the export to `file`; returns the tree size exported. Progress on stderr. */
export async function exportLog(client: HttpClient, file: string, quiet = false): Promise<number> {
  const checkpoint = await client.getText('/v1/log/checkpoint');
  const verifierKey = (await client.getText('/v1/log/verifier-key')).trim();
  const treeSize = treeSizeOf(checkpoint);
  const out = createWriteStream(file);
  const write = async (line: string) => {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  };
  const bar = quiet ? undefined : progressBar('export', treeSize);
  try {
    await write(JSON.stringify({ type: 'checkpoint', treeSize, checkpoint, verifierKey }));
    for (let start = 0; start < treeSize; start += EXPORT_PAGE) {
      const end = Math.min(treeSize, start + EXPORT_PAGE);
      const page = await client.get(`/v1/log/entries?start=${start}&end=${end}`, Entries);
      if (page.entries.length !== end - start)
        throw new Error(`the server sent ${page.entries.length} leaves for [${start}, ${end})`);
      for (const e of page.entries)
        await write(JSON.stringify({ type: 'leaf', index: e.index, leaf: e.leaf }));
      if (end < treeSize) bar?.update(end); // the last page is reported by done()
    }
    bar?.done(treeSize);
  } finally {
    out.end();
    await once(out, 'close');
  }
  return treeSize;
}

export const exportCommand: CliCommand = {
  summary: 'stream the whole Merkle log and its checkpoint to an NDJSON file',
  help,
  async run(args) {
    const parsed = parseCommandArgs(
      {
        args,
        options: {
          url: { type: 'string' },
          out: { type: 'string' },
          'operator-key': { type: 'string' },
          keys: { type: 'string' },
        },
      },
      help,
    );
    if (!parsed) return EXIT_USAGE;
    const { values } = parsed;
    let key: string;
    try {
      key = logReaderKey(values['operator-key'], values.keys);
    } catch (e) {
      console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
      return EXIT_USAGE;
    }
    const file = resolve(values.out ?? './log-export.ndjson');
    try {
      const size = await exportLog(httpClient(values.url ?? defaultUrl(), key), file);
      console.log(`wrote ${size} leaves and the checkpoint to ${file}`);
      return 0;
    } catch (e) {
      if (!(e instanceof ApiProblem)) throw e;
      console.error(`error ${e.code}: ${e.problem.detail ?? e.problem.title ?? ''}`);
      return EXIT_FAILED;
    }
  },
};
