import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The committed build output of contracts/MerkleAnchor.sol (written by `npm run build:contracts`).
 * Parsed, not trusted: a hand-edited or truncated artifact fails here rather than on chain.
 */
const hexBytes = z.string().regex(/^0x([0-9a-f]{2})+$/);

export const ContractArtifactSchema = z.object({
  contractName: z.literal('MerkleAnchor'),
  compiler: z.object({ name: z.literal('solc'), version: z.string() }),
  settings: z.object({ evmVersion: z.string() }).loose(),
  abi: z.array(z.record(z.string(), z.unknown())),
  bytecode: hexBytes,
  deployedBytecode: hexBytes,
});
export type MerkleAnchorArtifact = z.infer<typeof ContractArtifactSchema>;

let cached: MerkleAnchorArtifact | undefined;

export function merkleAnchorArtifact(): MerkleAnchorArtifact {
  cached ??= ContractArtifactSchema.parse(
    JSON.parse(readFileSync(new URL('../../contracts/build/MerkleAnchor.json', import.meta.url), 'utf8')),
  );
  return cached;
}
