/**
 * `npm run bench [name…]`: runs every benchmark in bench/*.bench.ts (or the named ones) one after
 * another, each writing its section of docs/perf.md.
 */
import { readdirSync } from 'node:fs';

const wanted = process.argv.slice(2);
const files = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
for (const [i, f] of files.entries()) {
  console.log(`[${i + 1}/${files.length}] ${f}`);
  const mod = (await import(`./${f}`)) as { run: () => Promise<void> };
  await mod.run();
}
console.log('results written to docs/perf.md');
