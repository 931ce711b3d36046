// The house rule of the layers (docs/ARCHITECTURE.md): src/platform never imports src/modules —
// the composition root src/runtime.ts binds the modules — and the platform's own code depends on
// core and db only, so no module can come in by way of the server or the CLI either. Core is pure.
// Every import specifier (static, dynamic, `export … from`, `import type`) is read by TypeScript's
// pre-processor, not by a regular expression.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** The top folder under src/ that each relative import of `text` (a file at `file`) lands in. */
function importedLayers(file: string, text: string): { specifier: string; layer: string | null }[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((f) => f.fileName)
    .map((specifier) => {
      if (!specifier.startsWith('.')) return { specifier, layer: null }; // a package or node:…
      const rel = path.relative(SRC, path.resolve(path.dirname(file), specifier));
      return { specifier, layer: rel.startsWith('..') ? '(outside src)' : rel.split(path.sep)[0]! };
    });
}

/** `file → specifier` for every import of the files under src/<layer> into a layer `refused` names. */
function violations(layer: string, refused: (target: string) => boolean, opts: { tests: boolean }) {
  return tsFiles(path.join(SRC, layer))
    .filter((f) => opts.tests || !/\.test\.tsx?$/.test(f))
    .flatMap((f) =>
      importedLayers(f, fs.readFileSync(f, 'utf8'))
        .filter((i) => i.layer !== null && refused(i.layer))
        .map((i) => `${path.relative(SRC, f)} → ${i.specifier}`),
    );
}

const outside = (allowed: string[]) => (target: string) => !allowed.includes(target);

describe('layering of src/', () => {
  it('sees every kind of import, so a clean result means something', () => {
    const file = path.join(SRC, 'platform', 'x.ts');
    const text = [
      "import { a } from '../modules/index.js';",
      "import type { B } from '../modules/types.js';",
      "export { c } from '../modules/credit/index.js';",
      "const d = await import('../modules/registry/index.js');",
      "import { e } from './context.js';",
      "import fs from 'node:fs';",
    ].join('\n');
    expect(importedLayers(file, text).map((i) => i.layer)).toEqual([
      'modules',
      'modules',
      'modules',
      'modules',
      'platform',
      null,
    ]);
  });

  it('src/platform never imports src/modules (tests included)', () => {
    expect(violations('platform', (target) => target === 'modules', { tests: true })).toEqual([]);
  });

  it('the platform code depends on core, db and itself only', () => {
    expect(violations('platform', outside(['core', 'db', 'platform']), { tests: false })).toEqual([]);
  });

  it('src/core imports nothing of the app outside core', () => {
    expect(violations('core', outside(['core']), { tests: false })).toEqual([]);
  });
});
