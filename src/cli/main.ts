/**
 * `loan-ledger <command>`: one file per command in ./commands. Exit codes (docs/operations.md):
 * 0 success, 1 a check failed (verify) or the command failed, 2 bad usage or unreadable input.
 */
import { commands } from './commands/index.ts';
import { isLedgerError } from '../errors.ts';
import { EXIT_USAGE, printProblem } from './output.ts';

const [name, ...args] = process.argv.slice(2);

function usage(): string {
  const rows = Object.entries(commands).map(([n, c]) => `  ${n.padEnd(16)} ${c.summary}`);
  return [
    'usage: loan-ledger <command> [options]',
    '',
    'commands:',
    ...rows,
    '',
    'loan-ledger <command> --help for its options',
  ].join('\n');
}

if (!name || name === '--help' || name === '-h' || name === 'help') {
  console.log(usage());
  process.exit(name ? 0 : EXIT_USAGE);
}
const command = commands[name];
if (!command) {
  console.error(`unknown command: ${name}\n\n${usage()}`);
  process.exit(EXIT_USAGE);
}
if (args.includes('--help') || args.includes('-h')) {
  console.log(command.help);
  process.exit(0);
}
try {
  const code = await command.run(args);
  process.exitCode = code;
} catch (e) {
  printProblem(e);
  // A bad setting (loadConfig) is bad usage, exit 2 like every command's own usage errors.
  process.exitCode = isLedgerError(e) && e.code === 'LL_VALIDATION_FAILED' ? EXIT_USAGE : 1;
}
