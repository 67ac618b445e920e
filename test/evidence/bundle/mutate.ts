/**
 * Field-level mutations of a bundle for the tamper tests and the fuzz: every leaf value (string or
 * number) by its path, and a one-character change that keeps the value in its own alphabet (so it
 * gets past the schema where it can and reaches the check that has to catch it).
 */

export type Path = (string | number)[];

export function leafPaths(value: unknown, at: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, [...at, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...at, k]));
  }
  return [at];
}

export const getAt = (value: unknown, path: Path): unknown =>
  path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value);

export function setAt<T>(value: T, path: Path, leaf: unknown): T {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = leaf;
  return copy as T;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const HEX = '0123456789abcdef';

/** Changes the character at `pos` (clamped) to another of its alphabet, chosen by `pick`. */
export function mutateString(s: string, pos: number, pick: number): string {
  if (s.length === 0) return 'x';
  let i = Math.min(Math.max(0, pos), s.length - 1);
  // Padding and the 0x prefix have no alternative in their alphabet: move to a real digit.
  if (i < 2 && /^0x[0-9a-f]/.test(s)) i = 2;
  while (i > 0 && s[i] === '=') i--;
  const c = s[i]!;
  const alphabet = /^0x[0-9a-f]+$/.test(s) ? HEX : B64.includes(c) ? B64 : 'abcdefghijklmnopqrstuvwxyz';
  let next = alphabet[pick % alphabet.length]!;
  if (next === c) next = alphabet[(pick + 1) % alphabet.length]!;
  return s.slice(0, i) + next + s.slice(i + 1);
}

export function mutateLeaf(leaf: unknown, pos: number, pick: number): unknown {
  if (typeof leaf === 'number') return leaf + 1 + (pick % 3);
  if (typeof leaf === 'string') return mutateString(leaf, pos, pick);
  return 'x';
}
