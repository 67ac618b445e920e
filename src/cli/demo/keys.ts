import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DemoKeys } from '../../app/demoOrganizations.ts';

/** The demo organizations' keys by organization id, read from demo-keys.json (written by `serve`). */
export type KeysByOrg = Map<string, { role: string; apiKey: string; name: string }>;

export const defaultKeysFile = (): string =>
  join(resolve(process.env.DATA_DIR ?? './data'), 'demo-keys.json');

export function readKeysFile(file: string): KeysByOrg {
  if (!existsSync(file)) {
    throw new Error(
      `no demo keys at ${file}: start the server once with DEMO=on (the default), or pass --keys FILE`,
    );
  }
  const parsed = DemoKeys.parse(JSON.parse(readFileSync(file, 'utf8')));
  return new Map(
    Object.entries(parsed).map(([name, k]) => [k.orgId, { role: k.role, apiKey: k.apiKey, name }]),
  );
}

/** The operator's key: --operator-key, else $LOAN_LEDGER_KEY, else the operator of demo-keys.json. */
export function operatorKey(explicit: string | undefined, keysFile: string | undefined): string {
  if (explicit) return explicit;
  if (process.env.LOAN_LEDGER_KEY) return process.env.LOAN_LEDGER_KEY;
  const keys = readKeysFile(keysFile ?? defaultKeysFile());
  const op = [...keys.values()].find((k) => k.role === 'operator');
  if (!op) throw new Error('demo-keys.json holds no operator key; pass --operator-key');
  return op.apiKey;
}

/** Like operatorKey, for reads the regulator may also do (the log): operator first, then regulator. */
export function logReaderKey(explicit: string | undefined, keysFile: string | undefined): string {
  if (explicit || process.env.LOAN_LEDGER_KEY) return operatorKey(explicit, keysFile);
  const keys = readKeysFile(keysFile ?? defaultKeysFile());
  const k = [...keys.values()].find((x) => x.role === 'operator' || x.role === 'regulator');
  if (!k) throw new Error('demo-keys.json holds no operator or regulator key; pass --operator-key');
  return k.apiKey;
}

export const defaultUrl = (): string => `http://127.0.0.1:${process.env.PORT ?? '8080'}`;
