import { createHash } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { canonicalJson } from '../../events/canonicalJson.ts';

/**
 * A pdf-lib document whose bytes depend only on its input: no wall-clock dates (pdf-lib would stamp
 * "now"), no random ids, no producer version drift in the Info dictionary. The same input therefore
 * gives the same bytes, which is what lets a contract's SHA-256 be recorded before anyone signs it.
 */
export interface DocumentMeta {
  title: string;
  subject: string;
  /** The fixed instant written as CreationDate and ModDate (from the input, never the clock). */
  createdAt: string;
  keywords?: string[];
}

export async function createDeterministicDocument(meta: DocumentMeta): Promise<PDFDocument> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const at = new Date(meta.createdAt);
  doc.setTitle(meta.title, { showInWindowTitleBar: true });
  doc.setSubject(meta.subject);
  doc.setCreator('loan-ledger');
  doc.setProducer('loan-ledger (pdf-lib)');
  doc.setLanguage('zh-CN');
  doc.setCreationDate(at);
  doc.setModificationDate(at);
  if (meta.keywords) doc.setKeywords(meta.keywords);
  return doc;
}

/** Object streams off: plain objects are easier for a court's expert to inspect with any tool. */
export const saveDeterministic = (doc: PDFDocument): Promise<Uint8Array> =>
  doc.save({ useObjectStreams: false });

/** SHA-256 (hex) of an input's RFC 8785 canonical JSON: the seed for anything that must be stable. */
export const contentHash = (input: unknown): string =>
  createHash('sha256').update(canonicalJson(input)).digest('hex');
