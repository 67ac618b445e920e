import { rgb, type PDFDocument, type PDFPage, type RGB } from 'pdf-lib';
import { LedgerError } from '../../errors.ts';
import { advanceWidth, hasGlyph, type CjkFonts } from './fonts.ts';

/**
 * A small flowing-text writer over pdf-lib (which only places text at coordinates): A4 pages, a cursor,
 * CJK-aware line wrapping, headings, label/value rows, tables that continue on the next page with their
 * header repeated, and "第 i 页 / 共 n 页" footers drawn once the page count is known.
 */
export const A4 = { width: 595.28, height: 841.89 } as const;
const MARGIN = { top: 56, bottom: 56, left: 50, right: 50 } as const;
export const CONTENT_WIDTH = A4.width - MARGIN.left - MARGIN.right;

const BLACK = rgb(0, 0, 0);
const GREY = rgb(0.35, 0.35, 0.35);
const RULE = rgb(0.6, 0.6, 0.6);
const HEADER_FILL = rgb(0.9, 0.92, 0.95);
const ZEBRA_FILL = rgb(0.97, 0.97, 0.97);

// A line must not start with closing punctuation (避头) nor end with opening punctuation (避尾).
const NO_LINE_START = new Set('，。、；：？！）》」』”’,.;:?!)]}%·—');
const NO_LINE_END = new Set('（《「『“‘([{¥');

export interface TextStyle {
  size?: number;
  bold?: boolean;
  color?: RGB;
  lineGap?: number;
}

export interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right' | 'center';
}

/** Splits text into unbreakable tokens: a Latin/digit word (with a following space) or one CJK character. */
function tokens(text: string): string[] {
  const out: string[] = [];
  const re = /[A-Za-z0-9_\-.:/@+=,]+ ?| |[\s\S]/gu;
  for (const m of text.matchAll(re)) {
    const t = m[0];
    const prev = out[out.length - 1];
    if (
      prev !== undefined &&
      (NO_LINE_START.has(t[0] as string) || NO_LINE_END.has(prev[prev.length - 1] as string))
    ) {
      out[out.length - 1] = prev + t;
    } else out.push(t);
  }
  return out;
}

export class PdfWriter {
  readonly pages: PDFPage[] = [];
  private page!: PDFPage;
  private y = 0;

  constructor(
    private readonly doc: PDFDocument,
    private readonly fonts: CjkFonts,
    private readonly footerLeft: string,
  ) {
    this.newPage();
  }

  get cursorY(): number {
    return this.y;
  }

  get currentPage(): PDFPage {
    return this.page;
  }

  newPage(): void {
    this.page = this.doc.addPage([A4.width, A4.height]);
    this.pages.push(this.page);
    this.y = A4.height - MARGIN.top;
  }

  /** Starts a new page unless `height` more points fit above the bottom margin. */
  ensureSpace(height: number): void {
    if (this.y - height < MARGIN.bottom) this.newPage();
  }

  space(points: number): void {
    this.y -= points;
  }

  /** Width in points: the sum of advance widths, which is how pdf-lib places the glyphs (no kerning). */
  textWidth(text: string, size: number, bold = false): number {
    const weight = bold ? 'bold' : 'regular';
    let w = 0;
    for (const ch of text) w += advanceWidth(weight, ch.codePointAt(0) as number);
    return (w * size) / 1000;
  }

  /** Wraps to `width`; a token wider than a line (a hash) is broken between characters. */
  wrap(text: string, width: number, size: number, bold = false): string[] {
    const lines: string[] = [];
    for (const paragraph of text.split('\n')) {
      let line = '';
      let lineWidth = 0; // kept incrementally: re-measuring the whole line per token is quadratic
      const push = (): void => {
        lines.push(line.trimEnd());
        line = '';
        lineWidth = 0;
      };
      for (const token of tokens(paragraph)) {
        const tw = this.textWidth(token, size, bold);
        if (lineWidth + tw <= width) {
          line += token;
          lineWidth += tw;
          continue;
        }
        if (line.trim() !== '') push();
        line = '';
        lineWidth = 0;
        if (tw <= width) {
          line = token.trimStart();
          lineWidth = this.textWidth(line, size, bold);
          continue;
        }
        for (const ch of token) {
          const cw = this.textWidth(ch, size, bold);
          if (lineWidth + cw > width && line !== '') push();
          line += ch;
          lineWidth += cw;
        }
      }
      push();
    }
    return lines;
  }

  /**
   * A character the font lacks would print as an empty box (tofu) while pdftotext still finds it, so a
   * judge could read something other than what the text layer says. Refuse instead: the caller can
   * fix the data (e.g. a rare character in a name) rather than issue a wrong-looking document.
   */
  private assertCovered(text: string, bold: boolean): void {
    const weight = bold ? 'bold' : 'regular';
    const missing = [...new Set(text)].filter((ch) => !hasGlyph(weight, ch.codePointAt(0) as number));
    if (missing.length > 0) {
      throw new LedgerError('LL_VALIDATION_FAILED', `the PDF font has no glyph for: ${missing.join(' ')}`, {
        missingCharacters: missing.map(
          (ch) => `U+${(ch.codePointAt(0) as number).toString(16).toUpperCase()}`,
        ),
      });
    }
  }

  private draw(text: string, x: number, y: number, style: TextStyle): void {
    if (text === '') return;
    const font = style.bold ? this.fonts.bold : this.fonts.regular;
    this.assertCovered(text, style.bold === true);
    this.page.drawText(text, { x, y, size: style.size ?? 10, font, color: style.color ?? BLACK });
  }

  private lineHeight(style: TextStyle): number {
    return (style.size ?? 10) * 1.45 + (style.lineGap ?? 0);
  }

  /** Wrapped text at the cursor; lines flow onto new pages as needed. */
  paragraph(text: string, style: TextStyle = {}, indent = 0): void {
    const size = style.size ?? 10;
    const lh = this.lineHeight(style);
    for (const line of this.wrap(text, CONTENT_WIDTH - indent, size, style.bold)) {
      this.ensureSpace(lh);
      this.y -= lh;
      this.draw(line, MARGIN.left + indent, this.y + size * 0.3, style);
    }
  }

  centered(text: string, style: TextStyle = {}): void {
    const size = style.size ?? 10;
    const lh = this.lineHeight(style);
    this.ensureSpace(lh);
    this.y -= lh;
    const w = this.textWidth(text, size, style.bold);
    this.draw(text, (A4.width - w) / 2, this.y + size * 0.3, style);
  }

  heading(text: string): void {
    this.ensureSpace(60); // never leave a heading alone at the bottom of a page
    this.space(8);
    this.paragraph(text, { size: 12.5, bold: true });
    this.space(3);
  }

  /** "label：value" rows with the values aligned; long values wrap under themselves. */
  fields(rows: [label: string, value: string][], style: TextStyle = {}): void {
    const size = style.size ?? 9.5;
    const labelWidth = Math.max(...rows.map(([l]) => this.textWidth(`${l}：`, size, true))) + 4;
    const lh = this.lineHeight({ ...style, size });
    for (const [label, value] of rows) {
      const lines = this.wrap(value, CONTENT_WIDTH - labelWidth, size);
      this.ensureSpace(lh * Math.min(lines.length, 3));
      lines.forEach((line, i) => {
        if (i > 0) this.ensureSpace(lh);
        this.y -= lh;
        if (i === 0)
          this.draw(`${label}：`, MARGIN.left, this.y + size * 0.3, { size, bold: true, color: GREY });
        this.draw(line, MARGIN.left + labelWidth, this.y + size * 0.3, { ...style, size });
      });
    }
  }

  /** A ruled table; rows wrap within their cells; the header is repeated on every page it spans. */
  table(columns: Column[], rows: string[][], style: { size?: number } = {}): void {
    const size = style.size ?? 8;
    const pad = 2.5;
    const lh = size * 1.35;
    const total = columns.reduce((s, c) => s + c.width, 0);
    const scale = CONTENT_WIDTH / total; // columns are given as proportions
    const widths = columns.map((c) => c.width * scale);

    const drawRow = (cells: string[], bold: boolean, fill: RGB | undefined): void => {
      const wrapped = cells.map((c, i) => this.wrap(c, (widths[i] as number) - 2 * pad, size, bold));
      const height = Math.max(...wrapped.map((l) => l.length)) * lh + 2 * pad;
      const top = this.y;
      if (fill) {
        this.page.drawRectangle({
          x: MARGIN.left,
          y: top - height,
          width: CONTENT_WIDTH,
          height,
          color: fill,
        });
      }
      let x = MARGIN.left;
      wrapped.forEach((lines, i) => {
        const w = widths[i] as number;
        lines.forEach((line, j) => {
          const align = columns[i]?.align ?? 'left';
          const tw = this.textWidth(line, size, bold);
          const dx = align === 'right' ? w - pad - tw : align === 'center' ? (w - tw) / 2 : pad;
          this.draw(line, x + dx, top - pad - (j + 1) * lh + size * 0.3, { size, bold });
        });
        x += w;
      });
      this.page.drawLine({
        start: { x: MARGIN.left, y: top - height },
        end: { x: MARGIN.left + CONTENT_WIDTH, y: top - height },
        thickness: 0.4,
        color: RULE,
      });
      this.y = top - height;
    };
    const rowHeight = (cells: string[], bold: boolean): number =>
      Math.max(...cells.map((c, i) => this.wrap(c, (widths[i] as number) - 2 * pad, size, bold).length)) *
        lh +
      2 * pad;

    const header = columns.map((c) => c.header);
    const startSection = (): void => {
      this.page.drawLine({
        start: { x: MARGIN.left, y: this.y },
        end: { x: MARGIN.left + CONTENT_WIDTH, y: this.y },
        thickness: 0.8,
        color: RULE,
      });
      drawRow(header, true, HEADER_FILL);
    };
    this.ensureSpace(rowHeight(header, true) + rowHeight(rows[0] ?? header, false));
    startSection();
    rows.forEach((cells, k) => {
      const h = rowHeight(cells, false);
      if (this.y - h < MARGIN.bottom) {
        this.newPage();
        this.paragraph('（续表）', { size: 8, color: GREY });
        startSection();
      }
      drawRow(cells, false, k % 2 === 1 ? ZEBRA_FILL : undefined);
    });
    this.space(4);
  }

  /** Footers need the final page count, so they are drawn last. */
  finish(): void {
    const n = this.pages.length;
    this.pages.forEach((page, i) => {
      const size = 7.5;
      const right = `第 ${i + 1} 页 / 共 ${n} 页`;
      page.drawLine({
        start: { x: MARGIN.left, y: MARGIN.bottom - 14 },
        end: { x: A4.width - MARGIN.right, y: MARGIN.bottom - 14 },
        thickness: 0.4,
        color: RULE,
      });
      page.drawText(this.footerLeft, {
        x: MARGIN.left,
        y: MARGIN.bottom - 26,
        size,
        font: this.fonts.regular,
        color: GREY,
      });
      page.drawText(right, {
        x: A4.width - MARGIN.right - this.textWidth(right, size),
        y: MARGIN.bottom - 26,
        size,
        font: this.fonts.regular,
        color: GREY,
      });
    });
  }
}

export const MARGINS = MARGIN;
