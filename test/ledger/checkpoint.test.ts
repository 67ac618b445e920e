import { describe, expect, it } from 'vitest';
import { isLedgerError, type ErrorCode } from '../../src/errors.ts';
import {
  CheckpointSigner,
  MemoryCheckpointState,
  checkpointText,
  defaultOrigin,
  openCheckpoint,
  parseCheckpointText,
} from '../../src/ledger/checkpoint.ts';
import { MemoryTree } from '../../src/ledger/merkle.ts';
import {
  ed25519NoteSigner,
  formatSignerKey,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  randomSecretKey,
} from '../../src/ledger/signedNote.ts';
import { Witness } from '../../src/ledger/witness.ts';

const code = (fn: () => unknown): ErrorCode | 'no error' | 'other error' => {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return isLedgerError(e) ? e.code : 'other error';
  }
};

const treeOf = (n: number, salt = ''): MemoryTree => {
  const t = new MemoryTree();
  for (let i = 0; i < n; i++) t.appendLeaf(new TextEncoder().encode(`${salt}event ${i}`));
  return t;
};

const origin = defaultOrigin('ledger.test');
const logSecret = randomSecretKey();
const logSigner = ed25519NoteSigner('ledger.test/log', logSecret);

function newSigner(tree: MemoryTree) {
  return new CheckpointSigner({
    origin,
    signer: logSigner,
    state: new MemoryCheckpointState(),
    consistencyProof: (a, b) => tree.consistencyProof(a, b),
  });
}

describe('signed-note interop (Go golang.org/x/mod/sumdb/note and transparency-dev vectors)', () => {
  const skey = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
  const vkey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
  const text =
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
  const note =
    text +
    '\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';

  it('derives the same key id and vkey, and signs byte-for-byte like Go', async () => {
    const signer = parseSignerKey(skey);
    expect(signer.verifierKey).toBe(vkey);
    const { formatNote, addSignature } = await import('../../src/ledger/signedNote.ts');
    expect(formatNote(addSignature({ text, signatures: [] }, signer))).toBe(note);
  });

  it('round-trips a secret key in the Go form', () => {
    const secret = randomSecretKey();
    const skey2 = formatSignerKey('example.org/log', secret);
    expect(parseSignerKey(skey2).verifierKey).toBe(ed25519NoteSigner('example.org/log', secret).verifierKey);
  });

  it('accepts published vkeys (types 0x01 and 0x04) and rejects a wrong key id', () => {
    expect(
      parseVerifierKey('remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2').type,
    ).toBe(4);
    expect(
      code(() => parseVerifierKey('remora.n621.de+da77ade8+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2')),
    ).toBe('LL_PROOF_INVALID');
    // a '+' inside the base64 key material is fine: only the first two '+' separate fields
    expect(parseVerifierKey('TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6').name).toBe('TEST');
  });
});

describe('checkpoint text', () => {
  it('formats and parses <origin>\\n<size>\\n<base64 root>\\n', () => {
    const root = treeOf(3).root();
    const text = checkpointText({ origin, size: 3, root, extensions: [] });
    expect(text).toBe(`${origin}\n3\n${Buffer.from(root).toString('base64')}\n`);
    expect(parseCheckpointText(text)).toEqual({
      origin,
      size: 3,
      root: new Uint8Array(root),
      extensions: [],
    });
  });

  it.each([
    ['leading zero', `${origin}\n03\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n`],
    ['short root', `${origin}\n3\nAAAA\n`],
    ['no final newline', `${origin}\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`],
    ['negative', `${origin}\n-3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n`],
    ['missing root', `${origin}\n3\n`],
  ])('rejects %s', (_what, text) => {
    expect(code(() => parseCheckpointText(text))).toBe('LL_PROOF_INVALID');
  });
});

describe('signing and verifying checkpoints', () => {
  it('round-trips: the note opens with the log key and says size and root', () => {
    const tree = treeOf(10);
    const note = newSigner(tree).sign(10, tree.root());
    const opened = openCheckpoint(note, logSigner.verifierKey, { origin });
    expect(opened.checkpoint.size).toBe(10);
    expect(Buffer.from(opened.checkpoint.root)).toEqual(Buffer.from(tree.root()));
    expect(note.split('\n')[4]?.startsWith('— ledger.test/log ')).toBe(true);
  });

  it('rejects tampered notes', () => {
    const tree = treeOf(10);
    const note = newSigner(tree).sign(10, tree.root());
    const otherRoot = Buffer.from(treeOf(10, 'x').root()).toString('base64');
    const sigB64 = note.trimEnd().split(' ').pop() as string;
    const flippedSig = Buffer.from(sigB64, 'base64');
    flippedSig[10] = (flippedSig[10] as number) ^ 1;
    const tampered = [
      note.replace('\n10\n', '\n11\n'),
      note.replace(Buffer.from(tree.root()).toString('base64'), otherRoot),
      note.replace(origin, `${origin}x`),
      note.replace(sigB64, flippedSig.toString('base64')),
      note.replace('\n\n—', '\n\n\n—'),
      note.slice(0, note.indexOf('\n\n') + 1),
    ];
    for (const t of tampered)
      expect(code(() => openCheckpoint(t, logSigner.verifierKey))).toBe('LL_PROOF_INVALID');
    // a different key with the same name is a different key id: the log's signature is then missing
    const impostor = ed25519NoteSigner('ledger.test/log', randomSecretKey());
    expect(code(() => openCheckpoint(note, impostor.verifierKey))).toBe('LL_PROOF_INVALID');
    expect(code(() => openCheckpoint(note, logSigner.verifierKey, { origin: 'elsewhere/log' }))).toBe(
      'LL_PROOF_INVALID',
    );
  });

  it('ignores signatures by unknown keys', () => {
    const tree = treeOf(4);
    const note = newSigner(tree).sign(4, tree.root());
    const extra = `${note}— someone.else ${Buffer.alloc(68, 7).toString('base64')}\n`;
    expect(openCheckpoint(extra, logSigner.verifierKey).checkpoint.size).toBe(4);
  });
});

describe('the log never signs two inconsistent checkpoints', () => {
  it('signs a growing tree, refuses a shrinking, forked or rewritten one', () => {
    const tree = treeOf(20);
    const state = new MemoryCheckpointState();
    let source = tree;
    const signer = new CheckpointSigner({
      origin,
      signer: logSigner,
      state,
      consistencyProof: (a, b) => source.consistencyProof(a, b),
    });
    signer.sign(5, tree.root(5));
    const at12 = signer.sign(12, tree.root(12));
    expect(signer.sign(12, tree.root(12))).toBe(at12); // idempotent
    expect(code(() => signer.sign(11, tree.root(11)))).toBe('LL_CHECKPOINT_INCONSISTENT');
    const forked = treeOf(20, 'fork ');
    expect(code(() => signer.sign(12, forked.root(12)))).toBe('LL_CHECKPOINT_INCONSISTENT');
    source = forked; // even with proofs from the forked tree itself
    expect(code(() => signer.sign(15, forked.root(15)))).toBe('LL_CHECKPOINT_INCONSISTENT');
    // a tree that kept the first 12 leaves and rewrote later ones is still consistent up to 12
    const rewritten = treeOf(12);
    for (let i = 12; i < 20; i++) rewritten.appendLeaf(new TextEncoder().encode(`rewritten ${i}`));
    source = rewritten;
    expect(openCheckpoint(signer.sign(20, rewritten.root()), logSigner.verifierKey).checkpoint.size).toBe(20);
    expect(state.latest()?.size).toBe(20);
    source = tree; // the original history is now the fork
    expect(code(() => signer.sign(20, tree.root(20)))).toBe('LL_CHECKPOINT_INCONSISTENT');
  });
});

describe('witness cosigning (tlog-witness semantics, cosignature/v1)', () => {
  const tree = treeOf(40);
  const witnessSecret = randomSecretKey();
  const newWitness = () =>
    new Witness({
      name: 'court.example/witness',
      secretKey: witnessSecret,
      logs: [{ origin, verifierKey: logSigner.verifierKey }],
      now: () => 1_700_000_000_000,
    });

  it('cosigns consistent checkpoints; relying parties verify the cosignature', () => {
    const signer = newSigner(tree);
    const witness = newWitness();
    const first = witness.cosign(signer.sign(10, tree.root(10)), []);
    expect(witness.lastSeenSize(origin)).toBe(10);
    const second = witness.cosign(signer.sign(25, tree.root(25)), tree.consistencyProof(10, 25));
    const opened = openCheckpoint(second, logSigner.verifierKey, {
      witnesses: [witness.verifierKey],
      minCosignatures: 1,
    });
    expect(opened.cosignedBy).toEqual(['court.example/witness']);
    expect(
      openCheckpoint(first, logSigner.verifierKey, { witnesses: [witness.verifierKey] }).cosignedBy,
    ).toHaveLength(1);
    // the cosignature line is key id ‖ 8-byte timestamp ‖ 64-byte signature
    const sig = parseNote(second).signatures[1];
    expect(sig?.signature.length).toBe(72);
    expect(Buffer.from(sig?.signature.subarray(0, 8) ?? []).readBigUInt64BE(0)).toBe(1_700_000_000n);
  });

  it('a tampered cosignature is an error, not silently ignored; missing cosignatures fail a quorum', () => {
    const signer = newSigner(tree);
    const witness = newWitness();
    const note = witness.cosign(signer.sign(10, tree.root(10)), []);
    const lastLine = note.trimEnd().split('\n').pop() as string;
    const b64 = lastLine.split(' ').pop() as string;
    const raw = Buffer.from(b64, 'base64');
    raw[20] = (raw[20] as number) ^ 0x80;
    const bad = note.replace(b64, raw.toString('base64'));
    expect(code(() => openCheckpoint(bad, logSigner.verifierKey, { witnesses: [witness.verifierKey] }))).toBe(
      'LL_PROOF_INVALID',
    );
    const plain = signer.sign(10, tree.root(10));
    expect(
      code(() =>
        openCheckpoint(plain, logSigner.verifierKey, {
          witnesses: [witness.verifierKey],
          minCosignatures: 1,
        }),
      ),
    ).toBe('LL_PROOF_INVALID');
  });

  it('refuses a fork, a rollback, a bad proof, an unknown log and a forged log signature', () => {
    const witness = newWitness();
    witness.cosign(newSigner(tree).sign(10, tree.root(10)), []);
    const forked = treeOf(40, 'fork ');
    const forkSigner = newSigner(forked); // the log key signing a different history (fresh signer state)
    expect(
      code(() => witness.cosign(forkSigner.sign(20, forked.root(20)), forked.consistencyProof(10, 20))),
    ).toBe('LL_CHECKPOINT_INCONSISTENT');
    expect(code(() => witness.cosign(forkSigner.sign(10, forked.root(10)), []))).toBe(
      'LL_CHECKPOINT_INCONSISTENT',
    );
    const honest = newSigner(tree);
    expect(code(() => witness.cosign(honest.sign(5, tree.root(5)), []))).toBe('LL_CHECKPOINT_INCONSISTENT');
    expect(code(() => witness.cosign(honest.sign(20, tree.root(20)), tree.consistencyProof(11, 20)))).toBe(
      'LL_CHECKPOINT_INCONSISTENT',
    );
    const stranger = new CheckpointSigner({
      origin: 'other.example/log',
      signer: logSigner,
      state: new MemoryCheckpointState(),
      consistencyProof: (a, b) => tree.consistencyProof(a, b),
    });
    expect(code(() => witness.cosign(stranger.sign(20, tree.root(20)), []))).toBe('LL_PROOF_INVALID');
    const forger = new CheckpointSigner({
      origin,
      signer: ed25519NoteSigner('ledger.test/log', randomSecretKey()),
      state: new MemoryCheckpointState(),
      consistencyProof: (a, b) => tree.consistencyProof(a, b),
    });
    expect(code(() => witness.cosign(forger.sign(20, tree.root(20)), tree.consistencyProof(10, 20)))).toBe(
      'LL_PROOF_INVALID',
    );
    expect(witness.lastSeenSize(origin)).toBe(10); // nothing refused moved the witness
    expect(() => witness.cosign(honest.sign(20, tree.root(20)), tree.consistencyProof(10, 20))).not.toThrow();
  });
});
