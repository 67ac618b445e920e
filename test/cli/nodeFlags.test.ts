import { describe, expect, it } from 'vitest';
import { COMMAND_NODE_FLAGS, hasNodeFlags, rerunWith } from '../../src/cli/nodeFlags.ts';

describe('commands run under their own V8 flags (src/cli/nodeFlags.ts)', () => {
  const flags = COMMAND_NODE_FLAGS.rebuild!;

  it('the test process itself runs without them, so loan-ledger would re-run', () => {
    expect(flags).toEqual(['--max-semi-space-size=32']);
    expect(hasNodeFlags(flags)).toBe(false);
    expect(hasNodeFlags([])).toBe(true);
  });

  it('the child gets the flags, and its exit code comes back', async () => {
    // Exit 7 only if the child Node was started with the flag.
    const probe = "process.exit(process.execArgv.includes('--max-semi-space-size=32') ? 7 : 3)";
    expect(await rerunWith(flags, ['-e', probe])).toBe(7);
  });

  it('a child killed by a signal gives 128 + the signal number', async () => {
    expect(await rerunWith(flags, ['-e', "process.kill(process.pid, 'SIGTERM')"])).toBe(128 + 15);
  });

  it("the parent's SIGTERM is passed to the child, which ends with it", async () => {
    // The child would exit 9 after a minute; only the forwarded signal ends it sooner, as 128 + 15.
    const before = process.listeners('SIGTERM');
    const run = rerunWith(flags, ['-e', 'setTimeout(() => process.exit(9), 60_000)']);
    const added = process.listeners('SIGTERM').filter((l) => !before.includes(l));
    expect(added).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    (added[0] as (signal: NodeJS.Signals) => void)('SIGTERM'); // what Node does when SIGTERM arrives
    expect(await run).toBe(128 + 15);
    expect(process.listeners('SIGTERM')).not.toContain(added[0]); // removed once the child ended
  });
});
