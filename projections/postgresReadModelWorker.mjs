// The PostgreSQL side of postgresReadModelDb.ts: one dedicated connection, one statement at a time.
// Plain JavaScript so it loads in a worker under tsx, vitest and plain node alike.
// Protocol: the main thread posts {id, sql, params, tx} on `port` and blocks on `flag`; we answer
// on `port` with {id, rows, fields, rowCount} or {id, error}, then set flag[0] = 1 and notify.
import { workerData } from 'node:worker_threads';
import pg from 'pg';

const { port, flag, connectionString } = workerData;
// int8 and numeric stay text here; the main thread parses them exactly (postgresDialect.ts).
const types = {
  getTypeParser: (oid, format) =>
    oid === 20 || oid === 1700 ? (v) => v : pg.types.getTypeParser(oid, format),
};

let client;
const connect = async () => {
  if (client) return client;
  prepared.clear(); // named statements belong to a connection
  // A bounded connect: the main thread is waiting (postgresReadModelDb.ts).
  const c = new pg.Client({
    connectionString,
    types,
    application_name: 'loan-ledger read models',
    connectionTimeoutMillis: 5000,
  });
  // A broken connection (server restart): forget it; the next statement connects again.
  c.on('error', () => {
    if (client === c) client = undefined;
  });
  await c.connect();
  client = c;
  return c;
};

const prepared = new Map();
port.on('message', async (m) => {
  let reply;
  try {
    // Inside a transaction a lost connection must fail the statement: connecting again would run the
    // rest of the transaction's statements outside it, one by one.
    if (m.tx && !client)
      throw Object.assign(new Error('connection lost inside a transaction'), { code: '08003' });
    const c = await connect();
    let query = m.sql;
    if (m.params.length > 0) {
      // Named statements are parsed once per connection.
      let name = prepared.get(m.sql);
      if (!name && prepared.size < 2000) prepared.set(m.sql, (name = `rm${prepared.size}`));
      query = name ? { name, text: m.sql, values: m.params } : { text: m.sql, values: m.params };
    }
    const r = await c.query(query);
    const results = Array.isArray(r) ? r : [r];
    const last = results[results.length - 1];
    reply = {
      id: m.id,
      rows: last?.rows ?? [],
      fields: (last?.fields ?? []).map((f) => [f.name, f.dataTypeID]),
      rowCount: last?.rowCount ?? 0,
    };
  } catch (e) {
    if (client && (!/^[0-9A-Z]{5}$/.test(String(e?.code)) || client._ending)) {
      // Not a server-side SQL error: the connection itself failed.
      const c = client;
      client = undefined;
      prepared.clear();
      c.end().catch(() => undefined);
    }
    reply = { id: m.id, error: { message: e?.message ?? String(e), code: e?.code } };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
