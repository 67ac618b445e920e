import { DEV_OPERATOR_KEY } from '../../../src/anchor/devKeys.ts';
import { completeUscc, idNumberCheckChar } from '../../../src/domain/identifiers.ts';
import { openEventStore, readModelFile } from '../../../src/store/openEventStore.ts';
import { ORG } from '../../../src/cli/demo/parties.ts';
import { CommandBook, drive, readAllEvents, type SentCommand } from './commandBook.ts';
import { getJson, request, until } from './http.ts';
import { startLedgerProcess, type LedgerProcess } from './ledgerProcess.ts';
import { LogWitness } from './logCheck.ts';
import { compareWithRebuild } from './projectionCheck.ts';
import { seedDisbursedLoans, type Seeded } from './seed.ts';

/**
 * Crash under load: the real server takes commands from `clients` concurrent clients and is SIGKILLed
 * at a random moment, `kills` times, always restarted on the same data (and database). After every
 * restart: every acknowledged command's events are stored exactly once; a retry of every unanswered
 * command (same Idempotency-Key) yields one set of events; the log is consistent with every checkpoint
 * and anchor published before; the read models equal a clean rebuild.
 */
export interface CrashOptions {
  dataDir: string;
  databaseUrl?: string;
  chain: { rpcUrl: string; contract: string };
  kills: number;
  clients: number;
  /** Load before the kill: uniform in [min, max) ms. */
  loadMs: [number, number];
  seed: number;
  log?: (line: string) => void;
}

export interface CrashReport {
  kills: number;
  sent: number;
  acknowledged: number;
  /** Commands in flight when a kill landed (each retried after the restart). */
  inFlightAtKill: number;
  retriedOk: number;
  /** Of the retried (in flight at a kill): how many had been committed before the kill (answered as replays). */
  landedBeforeKill: number;
  problems: string[];
  events: number;
  logSize: number;
  checkpointsSeen: number;
  consistencyProofs: number;
  anchorsSeen: number;
  projectionRows: number;
  statuses: Record<string, number>;
  startMs: number[];
}

export async function crashUnderLoad(o: CrashOptions): Promise<CrashReport> {
  const origin = `reliability-crash-${o.seed}.test/log`;
  const env: Record<string, string> = {
    DATA_DIR: o.dataDir,
    ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
    ANCHOR_RPC_URL: o.chain.rpcUrl,
    ANCHOR_PRIVATE_KEY: DEV_OPERATOR_KEY,
    ANCHOR_CONTRACT: o.chain.contract,
    ANCHOR_CHAIN_ID: '31337',
    ANCHOR_EVERY_SECONDS: '1',
    ANCHOR_EVERY_EVENTS: '40',
    ANCHOR_CONFIRMATIONS: '1',
    LOG_ORIGIN: origin,
  };
  // Read models: in readmodels.db on the embedded store (the projection thread's), in the database
  // itself on PostgreSQL.
  const readModels = o.databaseUrl ? { databaseUrl: o.databaseUrl } : { file: readModelFile(o.dataDir) };
  let rnd = o.seed;
  const random = () => (rnd = (rnd * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const book = new CommandBook();
  const witness = new LogWitness(origin);
  const report: CrashReport = {
    kills: 0,
    sent: 0,
    acknowledged: 0,
    inFlightAtKill: 0,
    retriedOk: 0,
    landedBeforeKill: 0,
    problems: [],
    events: 0,
    logSize: 0,
    checkpointsSeen: 0,
    consistencyProofs: 0,
    anchorsSeen: 0,
    projectionRows: 0,
    statuses: {},
    startMs: [],
  };
  const start = async () => {
    const t = performance.now();
    const p = await startLedgerProcess(env);
    report.startMs.push(Math.round(performance.now() - t));
    return p;
  };

  let server: LedgerProcess = await start();
  let seeded: Seeded;
  try {
    seeded = await seedDisbursedLoans(server.url, o.dataDir, 4);
  } catch (e) {
    await server.kill();
    throw e;
  }
  const operator = seeded.key(ORG.operator);
  const bank = seeded.key(ORG.bank);
  let seq = 0;
  const tag = o.seed.toString(36);
  const next = (client: number): Omit<SentCommand, 'attempts'> => {
    const n = ++seq;
    // Every 8th command registers a new enterprise (a create: its stream id comes from the body); the
    // rest are small repayments spread over the loans.
    if (n % 8 === 0) {
      const uscc = completeUscc(
        `91430100${String(o.seed % 1000).padStart(3, '0')}${String(n).padStart(5, '0')}`,
      );
      const id17 = `43010219800101${String(n % 1000).padStart(3, '0')}`;
      return {
        key: `crash-${tag}-${n}`,
        org: ORG.operator,
        apiKey: operator,
        path: '/v1/enterprises',
        body: {
          uscc,
          name: `压力测试企业${n}有限公司`,
          regionCode: '430102',
          industry: 'C3491',
          sizeClass: 'small',
          legalRepresentative: { name: '测试人', idNumber: id17 + idNumberCheckChar(id17) },
        },
      };
    }
    const loanId = seeded.loanIds[(client + n) % seeded.loanIds.length]!;
    return {
      key: `crash-${tag}-${n}`,
      org: ORG.bank,
      apiKey: bank,
      path: `/v1/loans/${loanId}/repayments`,
      body: { paymentId: `pay-${tag}-${n}`, amountFen: 1 + (n % 97), paidOn: '2026-02-05' },
    };
  };

  const verify = async (cycle: number) => {
    await until(
      async () => (await request(server.url, undefined, 'GET', '/readyz')).status === 200,
      120_000,
      'ready',
    );
    // A retry of every command that got no answer before the kill: same key, same body → one set of events.
    for (const c of book.unanswered()) {
      const r = await book.send(server.url, c);
      if (r.status !== 201) {
        report.problems.push(`cycle ${cycle}: retry of ${c.key} answered ${r.status} ${r.code}`);
        continue;
      }
      report.retriedOk++;
      if (r.replayed) report.landedBeforeKill++;
    }
    const store = await openEventStore({
      dataDir: o.dataDir,
      ...(o.databaseUrl ? { databaseUrl: o.databaseUrl } : {}),
    });
    try {
      const events = await readAllEvents(store);
      report.events = events.length;
      for (const p of book.checkAgainstStore(events)) report.problems.push(`cycle ${cycle}: ${p}`);
      const log = await witness.checkAfterRestart(server.url);
      report.logSize = log.size;
      report.consistencyProofs += log.proofs;
      await until(
        async () =>
          (await getJson<{ lag: number }>(server.url, operator, '/v1/projections/status')).lag === 0,
        120_000,
        'projections caught up',
      );
      const proj = await compareWithRebuild(readModels, store);
      report.projectionRows = proj.rows;
      if (proj.differing.length > 0)
        report.problems.push(
          `cycle ${cycle}: read models differ from a rebuild: ${proj.differing.join(', ')}`,
        );
    } catch (e) {
      report.problems.push(`cycle ${cycle}: ${(e as Error).message}`);
    } finally {
      await store.close();
    }
  };

  try {
    for (let cycle = 1; cycle <= o.kills; cycle++) {
      if (cycle > 1) {
        server = await start();
        await verify(cycle - 1);
      }
      let killed = false;
      let firstAck: () => void = () => undefined;
      const acked = new Promise<void>((r) => (firstAck = r));
      const load = drive(
        o.clients,
        next,
        async (c) => {
          const r = await book.send(server.url, c);
          if (r.status === 201) firstAck();
        },
        () => killed,
      );
      // An auditor polling the checkpoint and the anchors while the load runs.
      const auditor = (async () => {
        while (!killed) {
          try {
            await witness.observeCheckpoint(server.url);
            await witness.observeAnchors(server.url);
          } catch (e) {
            if (!killed) report.problems.push(`cycle ${cycle}: auditor: ${(e as Error).message}`);
          }
          await new Promise((r) => setTimeout(r, 40));
        }
      })();
      // The kill lands at a random moment after the load is flowing (the first acknowledgment).
      await acked;
      const [min, max] = o.loadMs;
      await new Promise((r) => setTimeout(r, min + Math.floor(random() * (max - min))));
      killed = true;
      await server.kill();
      await Promise.all([load, auditor]);
      report.kills++;
      o.log?.(
        `kill ${cycle}: ${book.commands.size} sent, ${book.acked().length} acknowledged, ${book.unanswered().length} unanswered`,
      );
    }
    // The last restart: checked like every other, then a clean stop.
    server = await start();
    await verify(o.kills);
    await server.stop();
  } finally {
    await server.kill();
  }
  report.sent = book.commands.size;
  report.acknowledged = book.acked().length;
  report.inFlightAtKill = [...book.commands.values()].filter((c) => c.attempts > 1).length;
  report.checkpointsSeen = witness.checkpointsSeen;
  report.anchorsSeen = witness.anchored.size;
  report.statuses = Object.fromEntries(book.statuses);
  return report;
}
