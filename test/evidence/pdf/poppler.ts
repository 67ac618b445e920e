import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Reads PDFs back with poppler-utils (pdftotext, pdffonts, pdftoppm): an independent PDF reader. */

export const pdftotext = (file: string, args: string[] = []): string =>
  execFileSync('pdftotext', ['-enc', 'UTF-8', ...args, file, '-'], { encoding: 'utf8' });

export interface FontRow {
  name: string;
  type: string;
  encoding: string;
  emb: string;
  sub: string;
  uni: string;
}

export function pdffonts(file: string): FontRow[] {
  const lines = execFileSync('pdffonts', [file], { encoding: 'utf8' }).trim().split('\n').slice(2);
  return lines.map((line) => {
    // name, then a type of 1-2 words ("CID TrueType"), encoding, emb, sub, uni, object id
    const m = /^(\S+)\s+(.+?)\s{2,}(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$/.exec(line.trim());
    if (!m) throw new Error(`unexpected pdffonts line: ${line}`);
    return { name: m[1]!, type: m[2]!, encoding: m[3]!, emb: m[4]!, sub: m[5]!, uni: m[6]! };
  });
}

export interface GrayImage {
  width: number;
  height: number;
  pixels: Uint8Array; // 0 = black, 255 = white
}

/** Renders one page to an 8-bit grey PGM (binary P5) and parses it. */
export function renderGray(file: string, page: number, dpi: number, outPrefix: string): GrayImage {
  execFileSync('pdftoppm', [
    '-gray',
    '-r',
    String(dpi),
    '-f',
    String(page),
    '-l',
    String(page),
    '-singlefile',
    file,
    outPrefix,
  ]);
  const data = readFileSync(`${outPrefix}.pgm`);
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(data.subarray(0, 50).toString('latin1'));
  if (!header) throw new Error('not a binary PGM');
  const [all, w, h, max] = header;
  if (max !== '255') throw new Error(`unexpected PGM maxval ${max}`);
  const width = Number(w);
  const height = Number(h);
  const pixels = new Uint8Array(data.subarray(all.length, all.length + width * height));
  if (pixels.length !== width * height) throw new Error('truncated PGM');
  return { width, height, pixels };
}

export const darkPixels = (
  img: GrayImage,
  x0 = 0,
  y0 = 0,
  x1 = img.width,
  y1 = img.height,
  below = 160,
): number => {
  let n = 0;
  for (let y = Math.max(0, Math.floor(y0)); y < Math.min(img.height, Math.ceil(y1)); y++) {
    for (let x = Math.max(0, Math.floor(x0)); x < Math.min(img.width, Math.ceil(x1)); x++) {
      if ((img.pixels[y * img.width + x] as number) < below) n++;
    }
  }
  return n;
};

export interface WordBox {
  word: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

/** Word boxes of one page in points, origin top-left (pdftotext -bbox). */
export function wordBoxes(file: string, page: number): WordBox[] {
  const html = pdftotext(file, ['-bbox', '-f', String(page), '-l', String(page)]);
  return [
    ...html.matchAll(
      /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g,
    ),
  ].map((m) => ({
    word: m[5]!,
    xMin: Number(m[1]),
    yMin: Number(m[2]),
    xMax: Number(m[3]),
    yMax: Number(m[4]),
  }));
}

/** PNG signature and IHDR size, to show pdftoppm produced a real image. */
export function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  if (!b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    throw new Error('not a PNG');
  }
  if (b.subarray(12, 16).toString('latin1') !== 'IHDR') throw new Error('PNG without IHDR first');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}
