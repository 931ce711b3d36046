// The check-item templates the generated plans are built from (data/sampling/check-items.json,
// sources in data/sampling/README.md), and the measurements a generated lab result reports: a value
// inside the item's limit for a pass, outside it for a failure, or the item's own words.
import { readFileSync } from 'node:fs';
import type { Rng } from '../registry/index.js';
import type { CheckItem, ItemClass } from './model.js';
import { ITEM_CLASSES } from './model.js';

export type ItemLimit = { max?: number; min?: number; range?: [number, number]; decimals: number };

export type TemplateItem = CheckItem & {
  limit?: ItemLimit;
  /** How often this item is the one that fails, relative to the category's other items. */
  failWeight: number;
  pass?: string;
  fail?: string;
  /** The edition plans published before `date` cite (the standard took force on that day). */
  before?: { date: string; standardCode: string; clause: string };
};

export type CategoryTemplate = {
  code: string;
  /** The product standard the sampled product declares (its standardCode on the sample). */
  standard: string;
  products: { name: string; models: string[] }[];
  testUnits: number;
  backupUnits: number;
  items: TemplateItem[];
};

const TEMPLATES_PATH = new URL('../../../data/sampling/check-items.json', import.meta.url);

let loaded: Map<string, CategoryTemplate> | undefined;

/** The shipped templates by category code (read and checked once). */
export function categoryTemplates(): Map<string, CategoryTemplate> {
  if (loaded) return loaded;
  const raw = JSON.parse(readFileSync(TEMPLATES_PATH, 'utf8')) as { categories: CategoryTemplate[] };
  const out = new Map<string, CategoryTemplate>();
  for (const c of raw.categories) {
    const keys = new Set<string>();
    for (const i of c.items) {
      if (keys.has(i.key)) throw new Error(`check-items.json: ${c.code} lists ${i.key} twice`);
      keys.add(i.key);
      if (!ITEM_CLASSES.includes(i.class)) throw new Error(`check-items.json: ${c.code}/${i.key} class`);
      if (!(i.failWeight > 0)) throw new Error(`check-items.json: ${c.code}/${i.key} failWeight`);
    }
    if (c.items.length === 0 || c.products.length === 0 || c.testUnits < 1)
      throw new Error(`check-items.json: ${c.code} is incomplete`);
    out.set(c.code, c);
  }
  loaded = out;
  return out;
}

/** The plan's check items for a category, citing the editions in force on the day it is published. */
export function checkItemsOn(t: CategoryTemplate, publishedOn: string): CheckItem[] {
  return t.items.map((i) => {
    const edition = i.before && publishedOn < i.before.date ? i.before : i;
    return {
      key: i.key,
      standardCode: edition.standardCode,
      clause: edition.clause,
      item: i.item,
      requirement: i.requirement,
      unit: i.unit,
      class: i.class as ItemClass,
    };
  });
}

const fixed = (v: number, decimals: number) => v.toFixed(decimals);
const step = (decimals: number) => 10 ** -decimals;

/** A measured value (or finding) for the item: within its limit when `pass`, outside it otherwise. */
export function measure(item: TemplateItem, pass: boolean, r: Rng): string {
  const l = item.limit;
  if (!l) return pass ? (item.pass ?? '符合') : (item.fail ?? '不符合');
  const d = l.decimals;
  if (l.max !== undefined) {
    if (pass) {
      const v = Number(fixed(l.max * (0.55 + 0.43 * r.next()), d));
      return fixed(Math.min(v, l.max), d);
    }
    const v = Number(fixed(l.max * (1.04 + 0.3 * r.next()), d));
    return fixed(v > l.max ? v : l.max + step(d), d);
  }
  if (l.min !== undefined) {
    if (pass) {
      const v = Number(fixed(l.min * (1.02 + 0.25 * r.next()), d));
      return fixed(Math.max(v, l.min), d);
    }
    const v = Number(fixed(l.min * (0.7 + 0.26 * r.next()), d));
    return fixed(v < l.min ? v : l.min - step(d), d);
  }
  const [lo, hi] = l.range!;
  const span = hi - lo;
  if (pass) return fixed(lo + span * (0.2 + 0.6 * r.next()), d);
  const v = Number(fixed(hi + span * (0.04 + 0.2 * r.next()), d));
  return fixed(v > hi ? v : hi + step(d), d);
}

/** `n` distinct items chosen by their failWeight (the items a failing sample fails). */
export function failingItems(items: readonly TemplateItem[], n: number, r: Rng): TemplateItem[] {
  const left = [...items];
  const out: TemplateItem[] = [];
  while (out.length < n && left.length > 0) {
    const total = left.reduce((s, i) => s + i.failWeight, 0);
    let x = r.next() * total;
    let k = 0;
    for (; k < left.length - 1; k++) {
      x -= left[k]!.failWeight;
      if (x < 0) break;
    }
    out.push(left.splice(k, 1)[0]!);
  }
  return out;
}
