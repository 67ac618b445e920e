// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/api/app.ts';
import { issueApiKey, registerOrganization } from '../src/api/auth/admin.ts';
import { registryFromDomain } from '../src/api/commands/fromDomain.ts';
import { aggregates } from '../src/domain/index.ts';
import { openSqliteEventStore } from '../src/store/sqlite/index.ts';
import { writePerfSection } from './report.ts';

/**
 * Durable acknowledged commands over HTTP on the embedded SQLite store, at 10 and 64 connections, next
 * to a no-op route on the same server (the ceiling). The command is a product amendment spread over
 * 1,000 products (loan repayments need a full loan lifecycle per loan; to be switched once the demo
 * scenario can seed loans). Each 201 means the event is fsynced (synchronous=FULL, group commit).
 */
interface Result {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
}
const PRODUCTS = 1000;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);

const terms = (rate: number) => ({
  name: 'bench',
  kind: 'pure_credit',
  pledgeType: null,
  amountMinFen: 100_000,
  amountMaxFen: 10_000_000,
  termMinMonths: 6,
  termMaxMonths: 36,
  rateMinBps: 300,
  rateMaxBps: rate,
  targetIndustries: [],
  targetRegions: ['43'],
  eligibility: { whiteListOnly: false, minGrade: null },
});

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'll-api-bench-'));
  const store = openSqliteEventStore({ file: join(dir, 'ledger.db') });
  await registerOrganization(store, { orgId: 'bank-bench', name: 'bench bank', role: 'bank' });
  const { apiKey } = await issueApiKey(store, 'bank-bench');
  const app = await buildApp({
    store,
    aggregates: registryFromDomain(aggregates),
    logger: false,
    docs: false,
    configure: (a) => a.get('/noop', { config: { public: true } }, async () => ({ ok: true })),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  for (let i = 0; i < PRODUCTS; i++) {
    await app.inject({
      method: 'POST',
      url: '/v1/products',
      headers,
      payload: { productId: `b${i}`, ...terms(600) },
    });
  }
  let n = 0;
  const measure = (connections: number, path: 'noop' | 'command'): Promise<Result> =>
    autocannon({
      url,
      connections,
      duration: DURATION_S,
      requests: [
        path === 'noop'
          ? { method: 'GET', path: '/noop' }
          : {
              method: 'POST',
              headers,
              setupRequest: (req: { path: string; body?: string }) => {
                n++;
                return {
                  ...req,
                  path: `/v1/products/b${n % PRODUCTS}/amendments`,
                  body: JSON.stringify(terms(500 + (n % 100))),
                };
              },
            },
      ],
    });
  const rows: string[] = [];
  for (const connections of [10, 64]) {
    const noop = await measure(connections, 'noop');
    const cmd = await measure(connections, 'command');
    const non2xx = cmd.non2xx;
    rows.push(
      `| ${connections} | ${Math.round(cmd.requests.average)} | ${cmd.latency.p50} | ${cmd.latency.p99} | ${Math.round(noop.requests.average)} | ${noop.latency.p99} | ${((100 * cmd.requests.average) / noop.requests.average).toFixed(1)} % | ${non2xx} |`,
    );
  }
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  writePerfSection(
    'api',
    'HTTP API: durable commands vs a no-op route',
    `Product amendments spread over ${PRODUCTS} products (each 201 = fsynced), ${DURATION_S} s per cell, autocannon, same server.

| connections | commands/s | p50 ms | p99 ms | no-op req/s | no-op p99 ms | commands / no-op | non-2xx |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Targets (issue 5): ≥ 5,000 commands/s and p99 ≤ 25 ms at 64 connections; ≥ 25 % of the no-op ceiling.`,
  );
  console.log(rows.join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
