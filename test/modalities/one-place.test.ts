/**
 * A modality's names and segment kinds come from one place (src/modalities/), and a new modality is one
 * module plus a space that covers it: a toy modality registered here is indexed by the real Rosetta into a
 * real LanceDB collection and found again by search, with no other change to the library.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rosetta } from '../../src/rosetta.js';
import {
  BUILTIN_MODALITIES,
  detectType,
  modalityNames,
  queryModalities,
  registerModality,
  segmentKinds,
  type ModalityModule,
} from '../../src/modalities/index.js';
import { unsupportedModality, type Space, type SpaceInfo } from '../../src/spaces/space.js';
import { searchBodySchema } from '../../src/server/routes/search-routes.js';
import { parseFilters, parseModalities } from '../../src/cli/commands/search-command.js';
import { kindsButOcr } from '../../src/search/words-in-pictures.js';
import { ErrorCodes } from '../../src/errors/codes.js';
import type { Modality, SegmentKind } from '../../src/types.js';

test('the server, the CLI and search take their modality names and segment kinds from the registry', () => {
  const { properties } = searchBodySchema;
  // The server's `kinds` filter is the registry's kinds: `ocr` included (it was once missing from a copied list).
  assert.deepEqual([...properties.filter.properties.kinds.items.enum].sort(), segmentKinds().sort());
  assert.ok(segmentKinds().includes('ocr'));
  assert.deepEqual(properties.filter.properties.modality.items.enum, modalityNames());
  assert.deepEqual(properties.in.items.enum, modalityNames());
  assert.deepEqual(
    Object.keys(properties.weights.properties),
    queryModalities().map((m) => m.name),
  );
  assert.deepEqual(modalityNames(), ['text', 'image', 'audio', 'video']);

  // The CLI's --in takes every modality by name or label, and --filter kind= every kind (and nothing else).
  for (const m of BUILTIN_MODALITIES) {
    assert.deepEqual(parseModalities(m.name), [m.name]);
    assert.deepEqual(parseModalities(m.label), [m.name]);
  }
  assert.deepEqual(parseFilters(segmentKinds().map((k) => `kind=${k}`)).kinds, segmentKinds());
  assert.throws(() => parseFilters(['kind=frame']), { code: ErrorCodes.INVALID_ARGUMENT });
  assert.throws(() => parseModalities('meshes'), { code: ErrorCodes.INVALID_ARGUMENT });

  // Search's "every kind but OCR lines" is the registry's kinds less `ocr`.
  assert.deepEqual(
    kindsButOcr(),
    segmentKinds().filter((k) => k !== 'ocr'),
  );
});

/** Toy notes: UTF-8 text that starts with the line `TOY`, indexed as `toy-line` segments. */
const toy: ModalityModule = {
  name: 'toy' as Modality,
  label: 'toys',
  formats: 'toy notes (UTF-8 text starting with "TOY")',
  segmentKinds: ['toy-line' as SegmentKind],
  detectOrder: 50,
  detect: (bytes, sniffed) => (!sniffed && Buffer.from(bytes.subarray(0, 4)).toString('latin1') === 'TOY\n' ? 'text/x-toy' : undefined),
  decodesTo: 'text',
  decode: async (file) => (file.bytes ?? (await readFile(file.path))).toString('utf8').slice(4),
};

const DIM = 64;

/** A toy space over text and toy notes: each word hashed into one of 64 buckets, the counts L2-normalised. */
function toySpace(): Space {
  const info: SpaceInfo = {
    id: 'toy',
    model: 'test/modalities/one-place.test.ts',
    modalities: ['text', 'toy' as Modality],
    dim: DIM,
    version: '1',
  };
  return {
    ...info,
    async embedTexts(texts) {
      return texts.map((t) => {
        const v = new Float32Array(DIM);
        for (const w of t.toLowerCase().match(/[a-z]+/g) ?? []) {
          let h = 2166136261;
          for (const c of w) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
          v[h % DIM] += 1;
        }
        const n = Math.hypot(...v) || 1;
        return v.map((x) => x / n);
      });
    },
    async embedImages() {
      throw unsupportedModality(info, 'image');
    },
    async embedAudio() {
      throw unsupportedModality(info, 'audio');
    },
    async load() {},
    async dispose() {},
  };
}

test('a toy modality (one module) and a toy space are indexed by Rosetta into LanceDB and searched back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rosetta-toy-'));
  const unregister = registerModality(toy);
  try {
    const files = join(dir, 'files');
    mkdirSync(files);
    writeFileSync(join(files, 'fox.toy'), 'TOY\nthe quick brown fox jumps over the fence');
    writeFileSync(join(files, 'dog.txt'), 'a lazy dog sleeps in the sun');
    assert.equal((await detectType(readFileSync(join(files, 'fox.toy'))))?.modality, 'toy');
    assert.equal((await detectType(readFileSync(join(files, 'dog.txt'))))?.modality, 'text');
    // Every list follows the registry: names, kinds, and what the CLI's --in accepts.
    assert.ok(modalityNames().includes('toy' as Modality));
    assert.ok(segmentKinds().includes('toy-line' as SegmentKind));
    assert.deepEqual(parseModalities('toys'), ['toy']);

    const rosetta = await Rosetta.open(join(dir, '.rosetta'), { spaces: [toySpace()] });
    try {
      const summary = await rosetta.index([files]);
      assert.equal(summary.failed, 0, JSON.stringify(summary.failures));
      assert.equal(summary.added, 2);

      const [hit] = await rosetta.search('quick brown fox', { k: 2 });
      assert.equal(hit.path, join(files, 'fox.toy'));
      assert.equal(hit.modality, 'toy');
      assert.equal(hit.kind, 'toy-line');
      assert.equal(hit.text, 'the quick brown fox jumps over the fence');

      // The modality filter and the kind filter both know the toy modality.
      assert.deepEqual(
        (await rosetta.search('quick brown fox', { k: 5, in: ['text'] })).map((r) => r.modality),
        ['text'],
      );
      assert.deepEqual(
        (await rosetta.search('lazy dog', { k: 5, in: ['toy' as Modality] })).map((r) => r.path),
        [join(files, 'fox.toy')],
      );
      assert.deepEqual(
        (await rosetta.search('a dog', { k: 5, filter: { kinds: ['toy-line' as SegmentKind] } })).map((r) => r.kind),
        ['toy-line'],
      );

      // The store holds the item under the module's name and its segments under the module's kind.
      const item = await rosetta.store.getItemByLocation(join(files, 'fox.toy'));
      assert.equal(item?.modality, 'toy');
      assert.equal(item?.mime, 'text/x-toy');
      assert.deepEqual(
        (await rosetta.store.getItemSegments(item!.hash)).map((s) => s.kind),
        ['toy-line'],
      );

      // A space asked for a modality it has no tower for says so with a code, instead of lacking the method.
      await assert.rejects(rosetta.spaces[0].embedImages([]), { code: ErrorCodes.SPACE_MODALITY_UNSUPPORTED });
    } finally {
      await rosetta.close();
    }
  } finally {
    unregister();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(!modalityNames().includes('toy' as Modality), 'unregistered again');
});
