import type { CliCommand } from './command.ts';
import { anchorCommand } from './anchor.ts';
import { demoCommand } from './demo.ts';
import { exportCommand } from './export.ts';
import { keysCommand } from './keys.ts';
import { rebuildCommand } from './rebuild.ts';
import { serveCommand } from './serve.ts';
import { verifyCommand } from './verify.ts';
import { verifyContractCommand } from './verifyContract.ts';

export const commands: Record<string, CliCommand> = {
  serve: serveCommand,
  demo: demoCommand,
  keys: keysCommand,
  anchor: anchorCommand,
  export: exportCommand,
  rebuild: rebuildCommand,
  verify: verifyCommand,
  'verify-contract': verifyContractCommand,
};
