/**
 * The PDF renderers (./index.ts), loaded on first use and kept: pdf-lib and fontkit add ~0.5 s to every
 * start otherwise (a restarted server, each CLI command), and most starts render no PDF for a while.
 */
type PdfRenderers = typeof import('./index.ts');

let loading: Promise<PdfRenderers> | undefined;

export const pdfRenderers = (): Promise<PdfRenderers> => (loading ??= import('./index.ts'));
