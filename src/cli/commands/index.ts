import type { CliCommand } from './command.ts';
import { demoCommand } from './demo.ts';
import { serveCommand } from './serve.ts';

export const commands: Record<string, CliCommand> = {
  serve: serveCommand,
  demo: demoCommand,
};
