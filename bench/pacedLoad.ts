import http from 'node:http';
import { percentiles } from './report.ts';

/**
 * An open-model load at a constant arrival rate: request i is due at start + i / rate, whatever happened
 * to the ones before it, over at most `connections` keep-alive sockets (more wait in the agent's queue).
 * Latency is measured from the time a request was due, so a stall that holds requests back counts in full
 * for every request it delays (no coordinated omission).
 *
 * Why not autocannon's `overallRate`: it lets each connection send its per-second quota back to back at
 * the start of every second, then idle, so "50 % of the peak" becomes a closed-loop burst at the peak for
 * half of each second; and it corrects its histogram for coordinated omission with an expected interval
 * of ceil(1 / per-connection rate) = 1 ms, adding a synthetic sample for every millisecond of a slow
 * response. Neither is the load or the latency of a server at half its capacity.
 */
export interface PacedRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
}

export interface PacedResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

export async function pacedLoad(options: {
  url: string;
  seconds: number;
  rate: number;
  connections: number;
  next: () => PacedRequest;
}): Promise<PacedResult> {
  const { hostname, port } = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let inFlight = 0;
  let sent = 0;
  const start = performance.now();
  const total = Math.round(options.seconds * options.rate);

  const send = (dueAt: number) => {
    const r = options.next();
    inFlight++;
    const req = http.request(
      { agent, hostname, port, method: 'POST', path: r.path, headers: r.headers },
      (res) => {
        res.resume();
        res.on('end', () => {
          inFlight--;
          latencies.push(performance.now() - dueAt);
          if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode > 299) non2xx++;
        });
      },
    );
    req.on('error', () => {
      inFlight--;
      errors++;
    });
    req.end(r.body);
  };

  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * options.rate));
      for (; sent < due; sent++) send(start + (sent / options.rate) * 1000);
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  const deadline = performance.now() + 30_000;
  while (inFlight > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const timeouts = inFlight;
  agent.destroy();
  const elapsed = (performance.now() - start) / 1000;
  const { median, p99 } = percentiles(latencies);
  return {
    requests: { total: latencies.length, average: latencies.length / elapsed },
    latency: { p50: Math.round(median), p99: Math.round(p99) },
    non2xx,
    errors,
    timeouts,
  };
}
