import { darkPixels, renderGray, wordBoxes } from './poppler.ts';

/**
 * Every word poppler finds on the page must leave ink where it says the word is. A font whose glyphs
 * are broken (we had a subsetter bug that blanked most CJK glyphs) still yields the right text layer,
 * so pdftotext alone would not notice. At 72 dpi one pixel is one point, so word boxes map directly.
 */
export function wordsWithoutInk(file: string, page: number, outPrefix: string): string[] {
  const img = renderGray(file, page, 72, outPrefix);
  return wordBoxes(file, page)
    .filter((w) => /[\u4e00-\u9fff0-9A-Za-z]/u.test(w.word))
    .filter((w) => darkPixels(img, w.xMin, w.yMin, w.xMax, w.yMax, 200) === 0)
    .map((w) => w.word);
}
