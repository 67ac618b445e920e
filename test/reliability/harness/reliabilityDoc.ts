import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The figures of the last run of each fault test, as JSON under `test/reliability/.results/` (not
 * committed), so docs/reliability.md can be checked against a run.
 */
export function writeReliabilityNumbers(name: string, figures: unknown): void {
  const dir = join(import.meta.dirname, '..', '.results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '.gitignore'), '*\n');
  writeFileSync(
    join(dir, `${name}.json`),
    JSON.stringify({ at: new Date().toISOString(), ...(figures as object) }, null, 2),
  );
}
