// A small seeded generator (mulberry32), so that a draw can be repeated from its recorded seed and
// checked by anyone. Not for secrets.

export type Random = () => number;

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The first n of a seeded shuffle of items (partial Fisher–Yates); the input is not changed. The
 * swaps are kept in a map rather than on a copy, so drawing 7,000 of 150,000 touches 7,000 places,
 * not 150,000 — with the same draws, in the same order, as swapping on a copy would give.
 */
export function drawWithout<T>(items: readonly T[], n: number, random: Random): T[] {
  const len = items.length;
  const k = Math.min(n, len);
  const moved = new Map<number, T>(); // position → the item swapped there
  const at = (i: number) => (moved.has(i) ? moved.get(i)! : items[i]!);
  const out: T[] = new Array(k);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (len - i));
    const picked = at(j);
    moved.set(j, at(i));
    out[i] = picked;
  }
  return out;
}
