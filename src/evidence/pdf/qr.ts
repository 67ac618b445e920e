import QRCode from 'qrcode';
import { rgb, type PDFPage } from 'pdf-lib';

/**
 * Draws a QR code as vector rectangles (no raster image), so it stays sharp when printed and the PDF
 * needs no image decoder. Each run of dark modules in a row is one rectangle. A 4-module quiet zone
 * (ISO/IEC 18004) is included inside `size`.
 */
export function drawQrCode(page: PDFPage, text: string, at: { x: number; y: number; size: number }): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  const quiet = 4;
  const cell = at.size / (n + 2 * quiet);
  page.drawRectangle({ x: at.x, y: at.y, width: at.size, height: at.size, color: rgb(1, 1, 1) });
  for (let row = 0; row < n; row++) {
    let col = 0;
    while (col < n) {
      if (!modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < n && modules.get(row, col)) col++;
      page.drawRectangle({
        x: at.x + (quiet + start) * cell,
        // PDF y grows upwards; QR row 0 is the top row.
        y: at.y + at.size - (quiet + row + 1) * cell,
        width: (col - start) * cell,
        height: cell,
        color: rgb(0, 0, 0),
      });
    }
  }
}
