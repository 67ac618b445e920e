/** A `loan-ledger` sub-command: its one-line summary, its --help text, and its run (returns the exit code). */
export interface CliCommand {
  summary: string;
  help: string;
  run(args: string[]): Promise<number>;
}
