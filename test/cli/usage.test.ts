import { afterEach, describe, expect, it, vi } from 'vitest';
import { commands } from '../../src/cli/commands/index.ts';
import { EXIT_USAGE } from '../../src/cli/output.ts';

/**
 * Every command that takes options parses them the one way (parseCommandArgs in src/cli/output.ts): an
 * unknown option is bad usage, exit 2, with the parser's message and the command's usage on stderr,
 * before anything is read, written or sent.
 */
describe('an unknown option is bad usage for every command that takes options', () => {
  afterEach(() => vi.restoreAllMocks());

  const cases: [name: string, args: string[]][] = [
    ['demo', ['--no-such-option']],
    ['anchor', ['now', '--no-such-option']],
    ['keys', ['create', '--no-such-option']],
    ['export', ['--no-such-option']],
    ['verify', ['bundle.json', '--no-such-option']],
    ['verify-contract', ['contract.pdf', '--no-such-option']],
  ];

  it.each(cases)('%s', async (name, args) => {
    const err: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((x: unknown) => void err.push(String(x)));
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const fetch = vi.spyOn(globalThis, 'fetch');
    const command = commands[name]!;
    expect(await command.run(args)).toBe(EXIT_USAGE);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^Unknown option '--no-such-option'/);
    expect(err[0]).toMatch(new RegExp(`usage:\\s+loan-ledger ${name}\\b`));
    expect(log).not.toHaveBeenCalled();
    expect(fetch).not.toHaveBeenCalled();
  });
});
