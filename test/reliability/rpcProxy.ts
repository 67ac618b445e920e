import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A JSON-RPC proxy in front of a real node, for faults the node itself will not produce:
 * - `pass`: forwards every request;
 * - `down`: accepts the connection and drops it without an answer (a dead load balancer);
 * - `garbage`: answers 200 with something that is not a well-formed answer, rotating through an
 *   HTML error page, truncated JSON, a result of the wrong shape, a bad hex quantity and a block
 *   missing its hash — every one must be refused by the client's zod schemas, never believed.
 */
export type ProxyMode = 'pass' | 'down' | 'garbage';

export interface RpcProxy {
  url: string;
  mode: ProxyMode;
  /** Requests answered with garbage so far. */
  garbageServed: number;
  close(): Promise<void>;
}

const GARBAGE: ((id: unknown, method: string) => string)[] = [
  () => '<html><body>502 Bad Gateway</body></html>',
  (id) => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"resu`,
  (id) => JSON.stringify({ jsonrpc: '2.0', id, result: { unexpected: true } }),
  (id) => JSON.stringify({ jsonrpc: '2.0', id, result: '0xZZ' }),
  (id, method) =>
    JSON.stringify({
      jsonrpc: '2.0',
      id,
      result: method === 'eth_getBlockByNumber' ? { number: '0x1', parentHash: '0x00' } : [1, 2, 3],
    }),
];

export async function startRpcProxy(target: string): Promise<RpcProxy> {
  let n = 0;
  const proxy: RpcProxy = { url: '', mode: 'pass', garbageServed: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (proxy.mode === 'down') {
        req.socket.destroy();
        return;
      }
      if (proxy.mode === 'garbage') {
        let id: unknown = 1;
        let method = '';
        try {
          ({ id, method } = JSON.parse(body.toString()) as { id: unknown; method: string });
        } catch {
          // answer garbage anyway
        }
        proxy.garbageServed++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(GARBAGE[n++ % GARBAGE.length]!(id, method));
        return;
      }
      fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        .then(async (r) => {
          res.writeHead(r.status, { 'content-type': 'application/json' });
          res.end(Buffer.from(await r.arrayBuffer()));
        })
        .catch(() => req.socket.destroy()); // the node itself is down: so are we
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
