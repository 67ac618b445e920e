import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RecordedEvent } from '../../src/events/envelope.ts';
import { checkpointText } from '../../src/ledger/checkpoint.ts';
import { eventLeafHash, leafBytes, LEAF_FORMAT } from '../../src/ledger/leaf.ts';
import { MemoryTree } from '../../src/ledger/merkle.ts';
import { addSignature, formatNote, parseSignerKey } from '../../src/ledger/signedNote.ts';

/** docs/hashing.md's worked example is what third parties implement from: every value in it is recomputed. */
const doc = readFileSync(new URL('../../docs/hashing.md', import.meta.url), 'utf8');

describe('docs/hashing.md worked example', () => {
  const event = RecordedEvent.parse({
    id: '01936f3e-8a2b-7c4d-9e5f-0a1b2c3d4e5f',
    stream: 'loan-L2026-0001',
    revision: 0,
    type: 'LoanDisbursed',
    schemaVersion: 1,
    data: { loanId: 'L2026-0001', amountFen: 50000000, rateBps: 435, bank: '中国工商银行' },
    meta: {
      actor: { org: 'bank-icbc-sz', role: 'bank' },
      recordedAt: '2026-01-31T08:00:00.000Z',
      correlationId: 'req-7f3a',
      causationId: 'req-7f3a',
    },
  });

  it('states the canonical bytes, leaf hash, root and signed checkpoint this code produces', () => {
    const bytes = leafBytes(event);
    expect(doc).toContain(`\n${new TextDecoder().decode(bytes)}\n`);
    expect(doc).toContain(`${bytes.length} bytes of UTF-8`);
    const h = Buffer.from(eventLeafHash(event));
    expect(doc).toContain(h.toString('hex'));
    expect(doc).toContain(h.toString('base64'));
    const tree = new MemoryTree();
    tree.appendLeaf(bytes);
    tree.appendLeaf(new TextEncoder().encode('second'));
    expect(doc).toContain(Buffer.from(tree.root()).toString('hex'));
    const signer = parseSignerKey(
      'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz',
    );
    const text = checkpointText({
      origin: `ledger.example.cn/${LEAF_FORMAT}`,
      size: 2,
      root: tree.root(),
      extensions: [],
    });
    expect(doc).toContain(formatNote(addSignature({ text, signatures: [] }, signer)));
    expect(doc).toContain(LEAF_FORMAT);
  });
});
