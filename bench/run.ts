// `npm run bench [name…]`: runs the named benchmarks (default: all) one after another.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace('.bench.ts', ''));
for (const name of wanted.length ? wanted : all) {
  if (!all.includes(name)) throw new Error(`No benchmark "${name}"; have: ${all.join(', ')}`);
  console.log(`\n##### bench ${name}`);
  await import(path.join(dir, `${name}.bench.ts`));
}
