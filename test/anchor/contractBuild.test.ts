import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ARTIFACT_URL,
  COMPILER_SETTINGS,
  compileMerkleAnchor,
  serializeArtifact,
} from '../../contracts/compile.ts';
import { opcodes } from './opcodes.ts';

/** The committed ABI/bytecode are build outputs: a fresh compile must reproduce them byte for byte. */
describe('contracts/build/MerkleAnchor.json', () => {
  it('equals a fresh in-process compile with the pinned solc and settings', () => {
    const committed = readFileSync(ARTIFACT_URL, 'utf8');
    const fresh = compileMerkleAnchor();
    expect(fresh.compiler.version).toMatch(/^0\.8\.37\+/);
    expect(fresh.settings.evmVersion).toBe('paris');
    expect(serializeArtifact(fresh)).toBe(committed);
  });

  it('the opcode check that guards evmVersion would see PUSH0 if the target were shanghai', () => {
    const paris = compileMerkleAnchor();
    const shanghai = compileMerkleAnchor({ ...COMPILER_SETTINGS, evmVersion: 'shanghai' });
    expect(opcodes(paris.deployedBytecode)).not.toContain(0x5f);
    expect(opcodes(shanghai.deployedBytecode)).toContain(0x5f);
  });
});
