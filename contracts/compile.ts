import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import solc from 'solc';

/**
 * Compiles contracts/MerkleAnchor.sol in-process with the pinned `solc` npm package (standard JSON).
 * Everything that changes the bytecode is pinned here, so `npm run build:contracts` reproduces
 * contracts/build/MerkleAnchor.json byte for byte (test/anchor/contractBuild.test.ts checks it).
 */

export const SOURCE_PATH = 'contracts/MerkleAnchor.sol';
export const ARTIFACT_URL = new URL('./build/MerkleAnchor.json', import.meta.url);

/**
 * evmVersion "paris" (the Merge): the newest target without Shanghai's PUSH0. anvil runs any hardfork;
 * FISCO BCOS 3.x (evmone, Solidity documented up to 0.8.11 = london), several L2s and older
 * consortium chains reject PUSH0. Paris adds nothing over london that this contract uses (PREVRANDAO
 * replaces DIFFICULTY), so the bytecode runs on a london-level EVM too.
 */
export const COMPILER_SETTINGS = {
  evmVersion: 'paris',
  optimizer: { enabled: true, runs: 200 },
  metadata: { bytecodeHash: 'ipfs' },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const;

export interface ContractArtifact {
  contractName: string;
  sourcePath: string;
  sourceSha256: string;
  compiler: { name: 'solc'; version: string };
  settings: typeof COMPILER_SETTINGS;
  abi: unknown[];
  bytecode: string;
  deployedBytecode: string;
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<
    string,
    Record<
      string,
      { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }
    >
  >;
}

export function compileMerkleAnchor(
  settings: typeof COMPILER_SETTINGS | Record<string, unknown> = COMPILER_SETTINGS,
): ContractArtifact {
  const source = readFileSync(new URL('./MerkleAnchor.sol', import.meta.url), 'utf8');
  const input = {
    language: 'Solidity',
    sources: { [SOURCE_PATH]: { content: source } },
    settings,
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const compiled = output.contracts?.[SOURCE_PATH]?.['MerkleAnchor'];
  if (!compiled) throw new Error('solc produced no MerkleAnchor contract');
  return {
    contractName: 'MerkleAnchor',
    sourcePath: SOURCE_PATH,
    sourceSha256: createHash('sha256').update(source).digest('hex'),
    compiler: { name: 'solc', version: solc.version() },
    settings: settings as typeof COMPILER_SETTINGS,
    abi: compiled.abi,
    bytecode: `0x${compiled.evm.bytecode.object}`,
    deployedBytecode: `0x${compiled.evm.deployedBytecode.object}`,
  };
}

/** The exact bytes written to contracts/build/MerkleAnchor.json. */
export const serializeArtifact = (a: ContractArtifact): string => `${JSON.stringify(a, null, 2)}\n`;
