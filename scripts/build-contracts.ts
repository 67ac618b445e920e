/**
 * `npm run build:contracts`: compiles contracts/MerkleAnchor.sol with the pinned solc and writes
 * contracts/build/MerkleAnchor.json (ABI, bytecode, compiler version, settings). Reproducible: the
 * committed file must equal a fresh build (test/anchor/contractBuild.test.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { ARTIFACT_URL, compileMerkleAnchor, serializeArtifact } from '../contracts/compile.ts';

const artifact = compileMerkleAnchor();
const path = fileURLToPath(ARTIFACT_URL);
mkdirSync(dirname(path), { recursive: true });
writeFileSync(path, serializeArtifact(artifact));
console.log(
  `wrote ${path}: solc ${artifact.compiler.version}, evmVersion ${artifact.settings.evmVersion}, ` +
    `${(artifact.deployedBytecode.length - 2) / 2} bytes deployed`,
);
