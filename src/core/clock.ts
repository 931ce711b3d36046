// Injectable time: code that needs "now" takes a Clock, so tests and "as of" queries control it.

export type Clock = { now(): Date };

/** A test clock that stands still until moved with set() or advance(). */
export type OffsetClock = Clock & {
  set(iso: string): void;
  advance(ms: number): void;
};

// A time without Z or an offset would be read in the host's zone; refuse it rather than guess.
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function parseInstant(iso: string): number {
  const ms = INSTANT.test(iso) ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError(`Not an ISO-8601 instant with Z or an offset: "${iso}"`);
  return ms;
}

export const systemClock: Clock = { now: () => new Date() };

/** Always the same instant; a fresh Date each call so a caller's mutation cannot leak. */
export function fixedClock(iso: string): Clock {
  const ms = parseInstant(iso);
  return { now: () => new Date(ms) };
}

/** Starts at `iso` and moves only when told, so tests can step over midnight or a deadline. */
export function offsetClock(iso: string): OffsetClock {
  let ms = parseInstant(iso);
  return {
    now: () => new Date(ms),
    set: (next) => {
      ms = parseInstant(next);
    },
    advance: (delta) => {
      if (!Number.isFinite(delta)) throw new RangeError(`advance: ms must be finite, got ${delta}`);
      ms += delta;
    },
  };
}
