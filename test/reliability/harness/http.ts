/**
 * Raw HTTP for the reliability tests: every status comes back as data (a 409 or a 503 is an outcome to
 * count, not an exception); only a transport failure (server killed, connection refused) throws.
 */
export interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export async function request(
  url: string,
  apiKey: string | undefined,
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; idempotencyKey?: string; ifMatch?: number; timeoutMs?: number } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  if (options.ifMatch !== undefined) headers['if-match'] = `"${options.ifMatch}"`;
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  if (text.length > 0) {
    try {
      const parsed = JSON.parse(text) as unknown;
      body =
        typeof parsed === 'object' && parsed !== null
          ? (parsed as Record<string, unknown>)
          : { value: parsed };
    } catch {
      body = { text };
    }
  }
  return { status: res.status, body, headers: res.headers };
}

/** GET that must succeed; returns the JSON body. */
export async function getJson<T = Record<string, unknown>>(
  url: string,
  apiKey: string | undefined,
  path: string,
): Promise<T> {
  const r = await request(url, apiKey, 'GET', path);
  if (r.status !== 200) throw new Error(`GET ${path} → ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
  return r.body as T;
}

export async function getText(url: string, path: string): Promise<string> {
  const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path} → ${res.status} ${text.slice(0, 500)}`);
  return text;
}

/** Polls `check` until it returns true (or throws its last error after `timeoutMs`). */
export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not reached in ${timeoutMs} ms${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
