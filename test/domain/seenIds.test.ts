import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeenIds } from '../../src/domain/seenIds.ts';

describe('SeenIds (the ids a stream state has recorded)', () => {
  it('behaves as an immutable set on every branch of states, whatever order ids are added in', () => {
    // A tree of states: each step adds an id to any earlier state (not only the newest), as a fold
    // restarted from a cached state would. Each state must see exactly the ids on its own path.
    const step = fc.record({ from: fc.nat(), id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h') });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const states: { ids: SeenIds; model: Set<string> }[] = [{ ids: SeenIds.empty(), model: new Set() }];
        for (const { from, id } of steps) {
          const base = states[from % states.length]!;
          states.push({ ids: base.ids.with(id), model: new Set([...base.model, id]) });
        }
        for (const { ids, model } of states) {
          expect(ids.size).toBe(model.size);
          for (const id of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) expect(ids.has(id)).toBe(model.has(id));
        }
      }),
    );
  });

  it('an ancestor never sees the ids its descendants added to the map they share', () => {
    let ids = SeenIds.empty();
    const first = ids.with('p0');
    ids = first;
    for (let i = 1; i < 1000; i++) ids = ids.with(`p${i}`);
    expect(ids.size).toBe(1000);
    // The newest state and its first ancestor share one map: the ancestor still sees only its own id.
    expect(first.has('p0')).toBe(true);
    expect(first.has('p999')).toBe(false);
    expect(ids.has('p999')).toBe(true);
  });
});
