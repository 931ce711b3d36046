// Primary keys are UUIDv7 made by the app: time-ordered, so B-tree inserts stay local on both databases.
import { v7, validate } from 'uuid';

export function newId(): string {
  return v7();
}

/** A canonical 8-4-4-4-12 hex UUID of any version (nil and max included). */
export function isUuid(s: unknown): s is string {
  return typeof s === 'string' && validate(s);
}
