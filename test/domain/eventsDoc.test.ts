import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderEventsDoc } from '../../scripts/gen-events-doc.ts';
import { aggregates } from '../../src/domain/index.ts';

describe('docs/events.md', () => {
  it('is exactly what scripts/gen-events-doc.ts renders from the zod schemas (run `npm run docs:events`)', async () => {
    const committed = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
    expect(
      committed === (await renderEventsDoc()),
      'docs/events.md is stale: run `npm run docs:events`',
    ).toBe(true);
  });

  it('covers every event type of every aggregate, and event types are unique across aggregates', () => {
    const committed = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
    const types = aggregates.flatMap((a) => Object.keys(a.eventSchemas));
    expect(new Set(types).size).toBe(types.length);
    for (const t of types) expect(committed).toContain(`### ${t} (v`);
    const commands = aggregates.flatMap((a) => Object.keys(a.commandSchemas));
    expect(new Set(commands).size).toBe(commands.length);
  });
});
