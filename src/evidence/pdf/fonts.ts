import fontkit from '@pdf-lib/fontkit';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { PDFDocument, PDFFont } from 'pdf-lib';

/**
 * The CJK font: Noto Sans SC (Google Fonts build, TrueType/glyf outlines, SIL Open Font License 1.1),
 * from the npm package @expo-google-fonts/noto-sans-sc, so it arrives with `npm install`.
 * TrueType matters: @pdf-lib/fontkit can subset glyf fonts but not CFF/OTF ones (Source Han Sans .otf).
 * Only the glyphs a document uses are embedded (a few hundred KB at most, usually far less).
 */
const require = createRequire(import.meta.url);
const PACKAGE = '@expo-google-fonts/noto-sans-sc';

export const CJK_FONT = {
  family: 'Noto Sans SC',
  licence: 'SIL Open Font License 1.1',
  package: PACKAGE,
  files: {
    regular: `${PACKAGE}/400Regular/NotoSansSC_400Regular.ttf`,
    bold: `${PACKAGE}/700Bold/NotoSansSC_700Bold.ttf`,
  },
  postscriptNames: { regular: 'NotoSansSC-Regular', bold: 'NotoSansSC-Bold' },
} as const;

export type FontWeight = keyof typeof CJK_FONT.files;
export interface CjkFonts {
  regular: PDFFont;
  bold: PDFFont;
}

type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];
type ParsedFont = ReturnType<Fontkit['create']>;

const fontBytes = new Map<FontWeight, Uint8Array>();
const parsed = new WeakMap<Uint8Array, ParsedFont>();

/** The font file's bytes, read once per process (each file is ~10 MB). */
export function cjkFontBytes(weight: FontWeight): Uint8Array {
  let bytes = fontBytes.get(weight);
  if (!bytes) {
    bytes = new Uint8Array(readFileSync(require.resolve(CJK_FONT.files[weight])));
    fontBytes.set(weight, bytes);
  }
  return bytes;
}

interface TtfSubsetInternals {
  glyf: Uint8Array[];
  offset: number;
  _addGlyph(gid: number): number;
}

/**
 * Works around a bug in @pdf-lib/fontkit 1.1.1's TrueType subsetter: it copies each glyph's bytes as they
 * are and then, when the subset is small, writes a *short* `loca` table, whose offsets are stored halved.
 * Noto Sans SC (long `loca`) has glyphs of odd length, so every glyph after one of them pointed one byte
 * off and rendered blank or garbled (seen in poppler). Padding each glyph to an even length, which the
 * TrueType spec allows, keeps every offset exact.
 */
function padGlyphsToEvenLength(subset: object): void {
  const s = subset as TtfSubsetInternals;
  const addGlyph = s._addGlyph;
  s._addGlyph = function (this: TtfSubsetInternals, gid: number): number {
    const index = addGlyph.call(this, gid);
    const bytes = this.glyf[index] as Uint8Array;
    if (bytes.length % 2 === 1) {
      // fontkit's stream accepts only its own Buffer (a browserified polyfill), so pad with that class.
      const padded = (bytes.constructor as typeof Buffer).alloc(bytes.length + 1);
      padded.set(bytes, 0);
      this.glyf[index] = padded;
      this.offset += 1;
    }
    return index;
  };
}

/**
 * The adapter handed to pdf-lib: (1) pdf-lib re-parses the font for every document (≈100 ms for a
 * 10 MB CJK font), so the parsed font is kept per byte array; each embedding still makes its own
 * subset, so documents share no state; (2) every subset it makes gets the padding fix above.
 */
const cachingFontkit: Fontkit = {
  create(buffer: Uint8Array, postscriptName?: string): ParsedFont {
    let font = parsed.get(buffer);
    if (!font) {
      font = (fontkit as Fontkit).create(buffer, postscriptName);
      const createSubset = font.createSubset.bind(font);
      font.createSubset = () => {
        const subset = createSubset();
        padGlyphsToEvenLength(subset);
        return subset;
      };
      parsed.set(buffer, font);
    }
    return font;
  },
};

/**
 * The PDF name of a subset font is `TAG+PostScriptName` with six capital letters (ISO 32000-1 §9.6.4);
 * readers and `pdffonts` use the tag to tell a subset. pdf-lib would otherwise add a pseudo-random
 * numeric suffix, so we derive the tag from the document's own content hash: stable for the same
 * input, different for different subsets.
 */
export function subsetTag(contentSha256Hex: string, weight: FontWeight): string {
  const seed = weight === 'regular' ? 0 : 6;
  let tag = '';
  for (let i = 0; i < 6; i++) {
    tag += String.fromCharCode(
      65 + (parseInt(contentSha256Hex.slice((seed + i) * 2, (seed + i) * 2 + 2), 16) % 26),
    );
  }
  return tag;
}

const parsedFont = (weight: FontWeight): ParsedFont => cachingFontkit.create(cjkFontBytes(weight));
const characterSets = new Map<FontWeight, Set<number>>();
const advanceWidths = new Map<FontWeight, Map<number, number>>();

/** Whether the font has a glyph for this code point (checked once per process per character set). */
export function hasGlyph(weight: FontWeight, codePoint: number): boolean {
  let set = characterSets.get(weight);
  if (!set) characterSets.set(weight, (set = new Set(parsedFont(weight).characterSet)));
  return set.has(codePoint);
}

/**
 * Advance width in 1/1000 em, as pdf-lib writes it into the PDF's width array. Kept per process: asking
 * pdf-lib per character runs fontkit's whole shaping pipeline every time.
 */
export function advanceWidth(weight: FontWeight, codePoint: number): number {
  let widths = advanceWidths.get(weight);
  if (!widths) advanceWidths.set(weight, (widths = new Map()));
  let w = widths.get(codePoint);
  if (w === undefined) {
    const font = parsedFont(weight);
    w = (font.glyphForCodePoint(codePoint).advanceWidth * 1000) / font.unitsPerEm;
    widths.set(codePoint, w);
  }
  return w;
}

export async function embedCjkFonts(doc: PDFDocument, contentSha256Hex: string): Promise<CjkFonts> {
  doc.registerFontkit(cachingFontkit);
  const embed = (weight: FontWeight) =>
    doc.embedFont(cjkFontBytes(weight), {
      subset: true,
      customName: `${subsetTag(contentSha256Hex, weight)}+${CJK_FONT.postscriptNames[weight]}`,
    });
  return { regular: await embed('regular'), bold: await embed('bold') };
}
