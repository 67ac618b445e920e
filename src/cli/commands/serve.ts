import { loadConfig } from '../../app/config.ts';
import { startLedger } from '../../app/ledger.ts';
import type { CliCommand } from './command.ts';

export const serveCommand: CliCommand = {
  summary: 'run the ledger (HTTP API, Merkle log, anchoring, projections)',
  help: `usage: loan-ledger serve

Runs the ledger with the settings of docs/operations.md (environment variables: PORT, DATA_DIR,
DATABASE_URL, ESDB_URL, ANCHOR_RPC_URL, …). On first start with DEMO=on (the default) it creates the
demo organizations and prints their API keys once. Stops cleanly on SIGINT/SIGTERM.

exit codes: 0 stopped cleanly; 1 could not start (the problem is printed, e.g. LL_STORE_UNAVAILABLE
naming the file); 2 a bad setting.`,
  async run() {
    const config = loadConfig();
    const ledger = await startLedger(config);
    console.log(
      `loan-ledger listening on ${ledger.url} (data in ${ledger.dataDir}, store: ${ledger.store.kind})`,
    );
    if (ledger.demoKeys) {
      console.log(
        '\nDemo organizations created. Their API keys are shown once (also in demo-keys.json, mode 0600):',
      );
      for (const [name, k] of Object.entries(ledger.demoKeys)) {
        console.log(`  ${k.role.padEnd(16)} ${k.orgId.padEnd(22)} ${k.apiKey}  ${name}`);
      }
      const regulator = Object.values(ledger.demoKeys).find((k) => k.role === 'regulator');
      console.log(
        `\nTry:\n  curl -s -H "Authorization: Bearer ${regulator?.apiKey}" ${ledger.url}/v1/log/checkpoint`,
      );
      console.log(`  open ${ledger.url}/docs for the API, or run: npx loan-ledger demo`);
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    console.log('shutting down: finishing in-flight requests');
    await ledger.close();
    return 0;
  },
};
