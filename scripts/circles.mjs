// Fails when a module under src/ imports itself back through other modules (type-only imports
// count too: a circle of types is still two modules that cannot be read one after the other).
// Imports are resolved as tsc resolves them, with the project's tsconfig.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const { config } = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);

const files = readdirSync(join(root, 'src'), { recursive: true })
  .filter((f) => /\.tsx?$/.test(f))
  .map((f) => join(root, 'src', f));

/** The project's files a module imports (packages and non-TypeScript assets left out). */
function importsOf(file) {
  const found = [];
  for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
    const resolved = ts.resolveModuleName(fileName, file, options, ts.sys).resolvedModule;
    if (resolved && !resolved.isExternalLibraryImport && /\.tsx?$/.test(resolved.resolvedFileName)) found.push(resolved.resolvedFileName);
  }
  return found;
}

const graph = new Map(files.map((f) => [f, importsOf(f)]));

// Depth-first: an import of a module still on the path closes a circle.
const state = new Map(); // file -> 'open' while on the path, 'done' after
const path = [];
const circles = [];
function visit(file) {
  state.set(file, 'open');
  path.push(file);
  for (const next of graph.get(file) ?? []) {
    if (state.get(next) === 'open') circles.push([...path.slice(path.indexOf(next)), next]);
    else if (!state.has(next)) visit(next);
  }
  path.pop();
  state.set(file, 'done');
}
for (const f of files) if (!state.has(f)) visit(f);

for (const c of circles) console.error(`import circle: ${c.map((f) => relative(root, f)).join(' -> ')}`);
if (circles.length > 0) process.exit(1);
console.log(`no import circles among ${files.length} modules under src/`);
