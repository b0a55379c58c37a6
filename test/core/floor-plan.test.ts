/**
 * The floor plan, checked: each folder imports only from folders below it, and the CLI and the server reach
 * the library only through its public door (Rosetta and the task functions the package exports).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Lower layers first: a folder imports from folders of lower layers (and from itself), never sideways or up. */
const LAYERS: string[][] = [
  ['errors', 'types'],
  ['util', 'onnx'],
  ['vectors', 'media', 'models', 'datasets'],
  ['spaces', 'store', 'ocr', 'vad'],
  ['modalities'],
  ['ingest', 'search', 'generate', 'eval', 'train', 'export'],
  ['queue', 'collection'],
  ['rosetta', 'pull-model'],
  ['server'],
  ['index'],
  ['cli'],
];
const layerOf = (folder: string) => LAYERS.findIndex((l) => l.includes(folder));

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (name.endsWith('.ts')) yield path;
  }
}

const topOf = (path: string) => relative(SRC, path).split(sep)[0].replace(/\.(ts|js)$/, '');

interface Import { from: string; to: string; names: string; typeOnly: boolean; file: string }
function imports(): Import[] {
  const out: Import[] = [];
  for (const file of sources(SRC)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s+(type\s+)?([^;]*?)\s+from\s+'(\.[^']+)'/gm)) {
      out.push({ from: topOf(file), to: topOf(join(dirname(file), m[3])), names: m[2], typeOnly: Boolean(m[1]), file: relative(SRC, file) });
    }
  }
  return out;
}

test('every folder imports only from folders below it (no sideways or upward imports)', () => {
  const wrong = imports().filter((i) => i.from !== i.to && !i.typeOnly && layerOf(i.to) >= layerOf(i.from))
    .map((i) => `${i.file} → ${i.to}`);
  assert.ok(imports().every((i) => layerOf(i.from) >= 0 && layerOf(i.to) >= 0), 'every folder is placed in a layer');
  assert.deepEqual(wrong, []);
});

test('the CLI and the server call the library through Rosetta and the exported task functions only', () => {
  const cli = imports().filter((i) => i.from === 'cli' && !['cli', 'index', 'util'].includes(i.to)).map((i) => `${i.file} → ${i.to}`);
  assert.deepEqual(cli, [], 'the CLI imports the package entry (src/index.ts) and output helpers (util), nothing else');
  // The server may use shared kernels (errors, validation, media checks of uploads), constants and pure
  // formatting (a hit's media-fragment ref); every operation (search, index, tag, caption, speak, transcribe,
  // score) goes through its Rosetta.
  const formatting = new Set(['momentRef']);
  const feature = new Set(['ingest', 'search', 'generate', 'ocr', 'vad', 'eval', 'train', 'collection', 'spaces', 'store']);
  const calls = imports().filter((i) => i.from === 'server' && feature.has(i.to) && !i.typeOnly)
    .filter((i) => i.names.replace(/[{}]/g, '').split(',').map((n) => n.trim()).some((n) => n && !n.startsWith('type ') && !/^[A-Z0-9_]+$/.test(n) && !formatting.has(n)))
    .map((i) => `${i.file} → ${i.to} (${i.names})`);
  assert.deepEqual(calls, []);
});
