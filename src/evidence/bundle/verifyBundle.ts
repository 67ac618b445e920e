import { verifyAnchorOnChain, type ChainCheckOptions } from './chainCheck.ts';
import { verifyBundleOffline, type CheckResult, type VerifyOptions } from './verify.ts';

export interface FullVerifyOptions extends VerifyOptions {
  /** A JSON-RPC node of the anchor's chain; without it the anchor is reported as not checked. */
  rpcUrl?: string;
  confirmations?: number;
  timeoutMs?: number;
}

export interface VerifyReport {
  ok: boolean;
  checks: CheckResult[];
}

/** Offline checks, then (given a node) the chain checks. `ok` only when nothing failed. */
export async function verifyBundle(input: unknown, options: FullVerifyOptions = {}): Promise<VerifyReport> {
  const offline = verifyBundleOffline(input, options);
  const checks = [...offline.checks];
  if (offline.bundle && offline.checkpoint && options.rpcUrl) {
    const chainOpts: ChainCheckOptions = { rpcUrl: options.rpcUrl };
    if (options.confirmations !== undefined) chainOpts.confirmations = options.confirmations;
    if (options.timeoutMs !== undefined) chainOpts.timeoutMs = options.timeoutMs;
    checks.push(...(await verifyAnchorOnChain(offline.bundle.anchor, offline.checkpoint, chainOpts)));
  } else if (offline.bundle) {
    const a = offline.bundle.anchor;
    checks.push({
      check: 'chain',
      status: 'skip',
      detail: options.rpcUrl
        ? 'not checked: the checkpoint did not parse'
        : `not checked on chain (no --rpc): the bundle claims tx ${a.txHash} in block ${a.blockNumber} of chain ${a.chainId}, status ${a.status}`,
    });
  }
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}
