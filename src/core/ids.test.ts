import { describe, expect, it } from 'vitest';
import { isUuid, newId } from './ids.js';

describe('newId', () => {
  it('makes UUIDv7 strings', () => {
    const id = newId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(isUuid(id)).toBe(true);
  });

  it('makes ids that sort in creation order', () => {
    const ids = Array.from({ length: 1000 }, () => newId());
    expect(new Set(ids).size).toBe(1000);
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('isUuid', () => {
  it.each([
    ['0190a6f1-7c3e-7d4a-9f2b-1c2d3e4f5a6b', true],
    ['0190A6F1-7C3E-7D4A-9F2B-1C2D3E4F5A6B', true],
    ['f47ac10b-58cc-4372-a567-0e02b2c3d479', true],
    ['0190a6f17c3e7d4a9f2b1c2d3e4f5a6b', false],
    ['0190a6f1-7c3e-7d4a-9f2b-1c2d3e4f5a6', false],
    ['not-a-uuid', false],
    ['', false],
  ])('%s → %s', (s, expected) => {
    expect(isUuid(s)).toBe(expected);
  });

  it('is false for non-strings', () => {
    expect(isUuid(undefined)).toBe(false);
    expect(isUuid(42)).toBe(false);
  });
});
