// Small helpers for benchmarks: timing, percentiles, a results file and a printed table.
// Benchmarks report ratios against a baseline measured in the same process, because the
// machines are noisy; absolute figures are printed beside them for the closing notes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'results');

export type Row = {
  dialect: string;
  metric: string;
  value: number;
  unit: string;
  goal?: string;
  baseline?: string;
  ratio?: number;
};

export function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

export function writeResults(name: string, rows: Row[], extra: Record<string, unknown> = {}) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  // A run on one dialect keeps the other dialect's latest rows, so the file always holds both.
  const ran = new Set(rows.map((r) => r.dialect));
  let kept: Row[] = [];
  try {
    kept = (JSON.parse(fs.readFileSync(file, 'utf8')).rows as Row[]).filter((r) => !ran.has(r.dialect));
  } catch {}
  rows = [...kept, ...rows];
  const doc = {
    name,
    at: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    ...extra,
    rows,
  };
  fs.writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  printTable(rows);
  console.log(`\nwritten ${path.relative(process.cwd(), file)}`);
}

export function printTable(rows: Row[]) {
  const fmt = (n: number) =>
    Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toFixed(3);
  const lines = rows.map((r) => [
    r.dialect,
    r.metric,
    `${fmt(r.value)} ${r.unit}`,
    r.ratio === undefined ? '' : `${fmt(r.ratio)}× ${r.baseline ?? ''}`,
    r.goal ?? '',
  ]);
  const head = ['dialect', 'metric', 'value', 'ratio to baseline', 'goal'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(
    `\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${lines.map(line).join('\n')}`,
  );
}

export const benchDialects = () => {
  const pg = process.env.BENCH_POSTGRES_URL || process.env.TEST_POSTGRES_URL;
  const only = process.env.BENCH_DIALECT;
  const all: ('sqlite' | 'postgres')[] = pg ? ['sqlite', 'postgres'] : ['sqlite'];
  return only ? all.filter((d) => d === only) : all;
};
