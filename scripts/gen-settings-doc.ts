/** Rewrites the settings table in docs/operations.md from src/app/config.ts (`npm run docs:settings`). */
import { readFileSync, writeFileSync } from 'node:fs';
import { settingsTable } from '../src/app/config.ts';

export const OPERATIONS_DOC = new URL('../docs/operations.md', import.meta.url);
const BEGIN = '<!-- settings -->';
const END = '<!-- /settings -->';

export function withSettingsTable(doc: string): string {
  const i = doc.indexOf(BEGIN);
  const j = doc.indexOf(END);
  if (i < 0 || j < i) throw new Error('docs/operations.md lacks the settings markers');
  return `${doc.slice(0, i + BEGIN.length)}\n${settingsTable()}\n${doc.slice(j)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(OPERATIONS_DOC, withSettingsTable(readFileSync(OPERATIONS_DOC, 'utf8')));
  console.log('docs/operations.md settings table updated');
}
