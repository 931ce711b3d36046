// Reads the tab-separated reference files in data/ (header line, one record a line).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DATA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data');

export function readTsv(file: string): Record<string, string>[] {
  const full = path.isAbsolute(file) ? file : path.join(DATA_DIR, file);
  const lines = fs
    .readFileSync(full, 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/);
  const header = (lines.shift() ?? '').split('\t');
  return lines
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => {
      const cells = l.split('\t');
      return Object.fromEntries(header.map((h, i) => [h, (cells[i] ?? '').trim()]));
    });
}
