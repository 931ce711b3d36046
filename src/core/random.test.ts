// The seeded draw every double-random draw is made of: the same seed gives the same draw (stored
// draws are checked by recomputing them), and drawWithout, which keeps its swaps in a map, draws
// exactly what the textbook partial Fisher–Yates on a copy draws — same items, same order, same
// numbers taken from the generator — so draws recorded before the change still verify.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawWithout, type Random, seededRandom } from './random.js';

/** The partial Fisher–Yates on a copy, as drawWithout was first written. */
function onCopy<T>(items: readonly T[], n: number, random: Random): T[] {
  const copy = [...items];
  const k = Math.min(n, copy.length);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, k);
}

describe('drawWithout', () => {
  it('draws what the partial Fisher–Yates on a copy draws, leaving the generator where it would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 300 }),
        fc.integer({ min: 0, max: 320 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (items, n, seed) => {
          const a = seededRandom(seed);
          const b = seededRandom(seed);
          const before = [...items];
          expect(drawWithout(items, n, a)).toEqual(onCopy(items, n, b));
          expect(a()).toBe(b()); // as many numbers taken
          expect(items).toEqual(before);
        },
      ),
    );
  });

  it('draws each item at most once, and all of them when asked for more than there are', () => {
    const items = Array.from({ length: 50 }, (_, i) => `e${i}`);
    const some = drawWithout(items, 20, seededRandom(7));
    expect(new Set(some).size).toBe(20);
    expect(drawWithout(items, 80, seededRandom(7)).sort()).toEqual([...items].sort());
    expect(drawWithout([], 3, seededRandom(7))).toEqual([]);
    expect(drawWithout(items, 0, seededRandom(7))).toEqual([]);
  });

  it('gives the same draw for the same seed and another for another seed', () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    expect(drawWithout(items, 10, seededRandom(42))).toEqual(drawWithout(items, 10, seededRandom(42)));
    expect(drawWithout(items, 10, seededRandom(42))).not.toEqual(drawWithout(items, 10, seededRandom(43)));
  });
});
