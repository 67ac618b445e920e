import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatSignerKey, parseSignerKey, randomSecretKey, type NoteSigner } from './signedNote.ts';

/**
 * The log's Ed25519 signing key, kept as one line in the Go note form (PRIVATE+KEY+<name>+<id>+<key>)
 * in a file readable by the owner only; created on first start. An operator may instead pass the same
 * string from a secret store (LOG_SIGNING_KEY) to `parseSignerKey`.
 */
export function loadOrCreateLogSigner(file: string, name: string): NoteSigner {
  if (existsSync(file)) {
    const signer = parseSignerKey(readFileSync(file, 'utf8').trim());
    if (signer.name !== name) throw new Error(`log key in ${file} is for "${signer.name}", not "${name}"`);
    return signer;
  }
  mkdirSync(dirname(file), { recursive: true });
  const skey = formatSignerKey(name, randomSecretKey());
  writeFileSync(file, `${skey}\n`, { mode: 0o600, flag: 'wx' });
  return parseSignerKey(skey);
}
