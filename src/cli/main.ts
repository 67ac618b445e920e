/**
 * `loan-ledger <command>`: one file per command in ./commands. Exit codes (docs/operations.md):
 * 0 success, 1 a check failed (verify) or the command failed, 2 bad usage or unreadable input.
 */
import { COMMAND_NODE_FLAGS, hasNodeFlags, rerunWith } from './nodeFlags.ts';

const [name, ...args] = process.argv.slice(2);
const helpAsked = args.includes('--help') || args.includes('-h');
const flags = (name !== undefined && COMMAND_NODE_FLAGS[name]) || [];

if (!helpAsked && !hasNodeFlags(flags)) process.exitCode = await rerunWith(flags);
else await main();

async function main(): Promise<void> {
  // Loaded only here: the parent of a re-run (above) never needs them.
  const { commands } = await import('./commands/index.ts');
  const { isLedgerError } = await import('../errors.ts');
  const { EXIT_USAGE, printProblem } = await import('./output.ts');

  const usage = (): string =>
    [
      'usage: loan-ledger <command> [options]',
      '',
      'commands:',
      ...Object.entries(commands).map(([n, c]) => `  ${n.padEnd(16)} ${c.summary}`),
      '',
      'loan-ledger <command> --help for its options',
    ].join('\n');

  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    process.exit(name ? 0 : EXIT_USAGE);
  }
  const command = commands[name];
  if (!command) {
    console.error(`unknown command: ${name}\n\n${usage()}`);
    process.exit(EXIT_USAGE);
  }
  if (helpAsked) {
    console.log(command.help);
    process.exit(0);
  }
  try {
    process.exitCode = await command.run(args);
  } catch (e) {
    printProblem(e);
    // A bad setting (loadConfig) is bad usage, exit 2 like every command's own usage errors.
    process.exitCode = isLedgerError(e) && e.code === 'LL_VALIDATION_FAILED' ? EXIT_USAGE : 1;
  }
}
