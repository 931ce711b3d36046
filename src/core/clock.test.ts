import { describe, expect, it } from 'vitest';
import { fixedClock, offsetClock, systemClock } from './clock.js';

describe('systemClock', () => {
  it('tells the real time', () => {
    const before = Date.now();
    const now = systemClock.now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});

describe('fixedClock', () => {
  it('always returns the same instant', () => {
    const clock = fixedClock('2025-06-30T08:00:00+08:00');
    expect(clock.now().toISOString()).toBe('2025-06-30T00:00:00.000Z');
    expect(clock.now().getTime()).toBe(clock.now().getTime());
  });

  it('hands out a fresh Date each time', () => {
    const clock = fixedClock('2025-06-30T00:00:00Z');
    clock.now().setUTCFullYear(1999);
    expect(clock.now().toISOString()).toBe('2025-06-30T00:00:00.000Z');
  });

  it('refuses a non-date', () => {
    expect(() => fixedClock('yesterday')).toThrow(RangeError);
    expect(() => fixedClock('June 30, 2025')).toThrow(RangeError);
  });

  it('refuses a time without a zone, which the host would read as local time', () => {
    expect(() => fixedClock('2025-06-30T08:00:00')).toThrow(/Z or an offset/);
    expect(fixedClock('2025-06-30').now().toISOString()).toBe('2025-06-30T00:00:00.000Z');
  });
});

describe('offsetClock', () => {
  it('stands still until set or advanced', () => {
    const clock = offsetClock('2026-01-31T15:59:00.000Z'); // 23:59 in Shanghai
    expect(clock.now().toISOString()).toBe('2026-01-31T15:59:00.000Z');
    expect(clock.now().toISOString()).toBe('2026-01-31T15:59:00.000Z');
    clock.advance(90_000);
    expect(clock.now().toISOString()).toBe('2026-01-31T16:00:30.000Z');
    clock.set('2026-12-31T00:00:00+08:00');
    expect(clock.now().toISOString()).toBe('2026-12-30T16:00:00.000Z');
    clock.advance(-86_400_000);
    expect(clock.now().toISOString()).toBe('2026-12-29T16:00:00.000Z');
  });

  it('hands out a fresh Date each time', () => {
    const clock = offsetClock('2025-06-30T00:00:00Z');
    clock.now().setUTCFullYear(1999);
    expect(clock.now().toISOString()).toBe('2025-06-30T00:00:00.000Z');
  });

  it('refuses bad input', () => {
    expect(() => offsetClock('soon')).toThrow(RangeError);
    const clock = offsetClock('2025-06-30T00:00:00Z');
    expect(() => clock.set('later')).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(clock.now().toISOString()).toBe('2025-06-30T00:00:00.000Z');
  });
});
