/**
 * OCR accuracy and speed: PaddleOCR PP-OCRv4 through Rosetta against Tesseract 5 (Debian's tesseract-ocr, given
 * each picture's language) on the same rendered pictures — words and short sentences in English, German and
 * French, 7 Debian fonts, 4 sizes, dark-on-light and light-on-dark; clean, rotated ±3–10°, and degraded (JPEG q20,
 * blur, noise). Then search: screenshots among distractors, found by a phrase they contain (index --ocr, mini model).
 * Needs: bash scripts/install-bench-deps.sh.
 * Run: flock /work/heavy.lock nice -n 5 npx tsx bench/ocr.ts [--part all|accuracy|search] [--images 540] [--screens 100]
 *   [--distractors 1000] [--subjects 100] [--threads 2] [--collection DIR]
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Rosetta } from '../src/rosetta.js';
import { loadEmojiPairs } from '../src/datasets/emoji-pairs.js';
import { TextReader } from '../src/ocr/text-reader.js';
import { ocr } from '../src/ocr/read-image-text.js';
import { arg, peakRssMiB, printTable } from './lib.js';
import { CORPUS, searchPhrase } from './ocr/corpus.js';
import { FONTS, SIZES, renderScreenshot, renderShapes, renderSpec, rng, type Degradation, type RenderSpec } from './ocr/render.js';

const run = promisify(execFile);
const images = Number(arg('images', '540'));
const screens = Number(arg('screens', '100'));
const distractors = Number(arg('distractors', '1000'));
const threads = Number(arg('threads', '2'));
const part = arg('part', 'all');
const subjects = Number(arg('subjects', '100'));
const root = mkdtempSync(join(tmpdir(), 'rosetta-bench-ocr-'));
const LANGS = ['en', 'de', 'fr'] as const;
const TESS_LANG = { en: 'eng', de: 'deu', fr: 'fra' } as const;
type Condition = 'clean' | 'rotated' | 'degraded';

interface Sample {
  file: string;
  lang: (typeof LANGS)[number];
  condition: Condition;
  degradation: Degradation;
  truth: string;
}

const norm = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim();

function edits<T>(a: T[], b: T[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const cur = [i];
    for (let j = 1; j <= b.length; j += 1) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

async function renderSamples(): Promise<Sample[]> {
  const random = rng(16);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const samples: Sample[] = [];
  const dir = join(root, 'accuracy');
  mkdirSync(dir);
  for (let i = 0; i < images; i += 1) {
    const lang = LANGS[i % 3];
    const condition: Condition = (['clean', 'rotated', 'degraded'] as const)[Math.floor(i / 3) % 3];
    const lines = random() < 0.3 ? [pick(CORPUS[lang]), pick(CORPUS[lang])] : [pick(CORPUS[lang])];
    const degradation: Degradation = condition === 'degraded' ? (['jpeg', 'blur', 'noise'] as const)[Math.floor(i / 9) % 3] : 'none';
    const spec: RenderSpec = {
      lines,
      font: pick(FONTS),
      size: pick(SIZES),
      inverted: random() < 0.3,
      degradation,
      rotate: condition === 'rotated' ? (random() < 0.5 ? -1 : 1) * (3 + random() * 7) : 0,
    };
    const { bytes, ext } = await renderSpec(spec, random);
    const file = join(dir, `${i}.${ext}`);
    writeFileSync(file, bytes);
    samples.push({ file, lang, condition, degradation, truth: norm(lines.join(' ')) });
  }
  return samples;
}

async function tesseract(s: Sample): Promise<string> {
  const { stdout } = await run('tesseract', [s.file, 'stdout', '-l', TESS_LANG[s.lang], '--psm', '6'], {
    env: { ...process.env, OMP_THREAD_LIMIT: String(threads) },
  });
  return norm(stdout);
}

interface Score {
  chars: number;
  charEdits: number;
  foldedEdits: number;
  words: number;
  wordEdits: number;
  exact: number;
  n: number;
}
const empty = (): Score => ({ chars: 0, charEdits: 0, foldedEdits: 0, words: 0, wordEdits: 0, exact: 0, n: 0 });
/** Accents and ß folded away: what is left is the reading, not the dictionary. */
const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss');
function add(score: Score, truth: string, read: string): void {
  score.chars += [...truth].length;
  score.charEdits += edits([...truth], [...read]);
  score.foldedEdits += edits([...fold(truth)], [...fold(read)]);
  const tw = truth.split(' '),
    rw = read ? read.split(' ') : [];
  score.words += tw.length;
  score.wordEdits += Math.min(tw.length, edits(tw, rw));
  score.exact += truth === read ? 1 : 0;
  score.n += 1;
}
const cer = (s: Score) => (100 * s.charEdits) / s.chars;
const foldedCer = (s: Score) => (100 * s.foldedEdits) / s.chars;
const wordAcc = (s: Score) => 100 * (1 - s.wordEdits / s.words);

async function accuracy(): Promise<void> {
  const samples = await renderSamples();
  const reader = await TextReader.open({ threads });
  await ocr(samples[0].file, { reader }); // warm-up
  // The engines alternate picture by picture, so load from other work on the machine falls on both alike.
  const paddle: string[] = [];
  const tess: string[] = [];
  let paddleSeconds = 0,
    tessSeconds = 0;
  for (const s of samples) {
    let t = performance.now();
    paddle.push(norm((await ocr(s.file, { reader })).lines.map((l) => l.text).join(' ')));
    paddleSeconds += (performance.now() - t) / 1000;
    t = performance.now();
    tess.push(await tesseract(s));
    tessSeconds += (performance.now() - t) / 1000;
  }

  const groups = new Map<string, { p: Score; t: Score }>();
  const at = (key: string) => {
    let g = groups.get(key);
    if (!g) {
      g = { p: empty(), t: empty() };
      groups.set(key, g);
    }
    return g;
  };
  const misses = new Map<string, number>();
  samples.forEach((s, i) => {
    for (const key of [
      `all`,
      s.condition,
      `${s.condition}/${s.lang}`,
      ...(s.condition === 'degraded' ? [`degraded: ${s.degradation}`] : []),
    ]) {
      add(at(key).p, s.truth, paddle[i]);
      add(at(key).t, s.truth, tess[i]);
    }
    if (s.condition === 'clean' && paddle[i] !== s.truth) {
      for (const ch of new Set([...s.truth])) if (!paddle[i].includes(ch)) misses.set(ch, (misses.get(ch) ?? 0) + 1);
    }
  });
  const order = [
    'all',
    'clean',
    'rotated',
    'degraded',
    'degraded: jpeg',
    'degraded: blur',
    'degraded: noise',
    ...LANGS.map((l) => `clean/${l}`),
    ...LANGS.map((l) => `rotated/${l}`),
    ...LANGS.map((l) => `degraded/${l}`),
  ];
  printTable(
    `OCR accuracy, ${samples.length} rendered pictures (CER %, lower is better; word accuracy %, higher is better)`,
    order
      .filter((k) => groups.has(k))
      .map((k) => {
        const g = groups.get(k)!;
        return {
          set: k,
          pictures: g.p.n,
          'PaddleOCR CER': cer(g.p),
          'Tesseract CER': cer(g.t),
          'PaddleOCR CER, accents folded': foldedCer(g.p),
          'Tesseract CER, accents folded': foldedCer(g.t),
          'PaddleOCR words': wordAcc(g.p),
          'Tesseract words': wordAcc(g.t),
          'PaddleOCR exact': `${g.p.exact}/${g.p.n}`,
          'Tesseract exact': `${g.t.exact}/${g.t.n}`,
        };
      }),
  );
  printTable('OCR speed (one picture at a time, 2 threads each)', [
    { engine: 'PaddleOCR PP-OCRv4 (Rosetta)', 'images/s': samples.length / paddleSeconds, seconds: paddleSeconds },
    { engine: 'Tesseract 5.3 (CLI per picture, language given)', 'images/s': samples.length / tessSeconds, seconds: tessSeconds },
  ]);
  console.log(
    `\nCharacters most often missing from PaddleOCR's reading of clean pictures: ${[...misses]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([c, n]) => `${c} ×${n}`)
      .join(', ')}`,
  );
  const wrong = samples
    .map((s, i) => ({ s, read: paddle[i] }))
    .filter(({ s, read }) => s.condition === 'clean' && read !== s.truth)
    .slice(0, 8);
  for (const { s, read } of wrong) console.log(`  clean ${s.lang}: “${s.truth}” → “${read}”`);
  await reader.dispose();
}

/** Pictures without text that the subject check looks for by name: emoji the mini model knows (its training split). */
function subjectTargets(): { label: string; imagePath: string }[] {
  const pairs = loadEmojiPairs({ split: 'train', languages: ['en'] });
  const step = Math.floor(pairs.length / subjects);
  return Array.from({ length: subjects }, (_, i) => ({ label: pairs[i * step].labels.en, imagePath: pairs[i * step].imagePath }));
}

async function buildCollection(dir: string): Promise<void> {
  const random = rng(7);
  mkdirSync(dir, { recursive: true });
  const fillers = [...CORPUS.en, ...CORPUS.de, ...CORPUS.fr];
  for (let i = 0; i < screens; i += 1)
    writeFileSync(join(dir, `screen-${i}.png`), await renderScreenshot(searchPhrase(i), fillers[i % fillers.length], random));
  // One distractor in five carries other text (so words must decide, not the presence of text); the rest are shapes.
  for (let i = 0; i < distractors; i += 1) {
    const bytes =
      i % 5 === 0
        ? (
            await renderSpec(
              {
                lines: [fillers[(i * 7) % fillers.length]],
                font: FONTS[i % FONTS.length],
                size: SIZES[i % SIZES.length],
                rotate: 0,
                inverted: i % 4 === 0,
                degradation: 'none',
              },
              random,
            )
          ).bytes
        : await renderShapes(random);
    writeFileSync(join(dir, `other-${i}.png`), bytes);
  }
  subjectTargets().forEach((t, i) => copyFileSync(t.imagePath, join(dir, `subject-${i}.png`)));
}

/**
 * Two checks on one collection indexed with --ocr: (1) phrase queries find their screenshot; (2) subject queries
 * (an emoji's name) find that emoji, which has no text, among pictures that do carry (unrelated) text: how often
 * a picture with text comes first instead tells whether text takes over. `--collection DIR` keeps the indexed
 * collection, and a second run (e.g. of the code before a change) reuses it instead of indexing again.
 */
async function search(): Promise<void> {
  const base = arg('collection', join(root, 'collection'));
  const dir = join(base, 'files');
  const fresh = !existsSync(join(base, '.rosetta'));
  if (fresh) await buildCollection(dir);
  const rosetta = await Rosetta.open(join(base, '.rosetta'), { spaces: ['mini'], offline: true, threads });
  try {
    const t = performance.now();
    const summary = fresh ? await rosetta.index([dir], { ocr: true }) : undefined;
    const indexSeconds = (performance.now() - t) / 1000;
    const rows: Record<string, string | number>[] = [];
    for (const hybrid of [true, false]) {
      let first = 0,
        top5 = 0;
      const times: number[] = [];
      for (let i = 0; i < screens; i += 1) {
        const s = performance.now();
        const hits = await rosetta.search(searchPhrase(i), { k: 5, hybrid });
        times.push(performance.now() - s);
        const rank = hits.findIndex((h) => h.path.endsWith(`/screen-${i}.png`));
        if (rank === 0) first += 1;
        if (rank >= 0) top5 += 1;
      }
      rows.push({
        search: hybrid ? 'hybrid (--hybrid)' : 'plain (no --hybrid)',
        queries: screens,
        'found first %': (100 * first) / screens,
        'in top 5 %': (100 * top5) / screens,
        'ms/query': times.reduce((a, b) => a + b, 0) / times.length,
      });
    }
    printTable(
      `Search by words in pictures: ${screens} screenshots among ${distractors + subjects} other pictures ` +
        `(${distractors / 5} with other text; index --ocr, mini model)`,
      rows,
    );

    const targets = subjectTargets();
    const withText = (path: string) => /\/screen-\d+\.png$/.test(path) || Number(/\/other-(\d+)\.png$/.exec(path)?.[1] ?? 1) % 5 === 0;
    const subjectRows: Record<string, string | number>[] = [];
    for (const hybrid of [false, true]) {
      let first = 0,
        top5 = 0,
        textFirst = 0,
        textInTop5 = 0;
      for (const [i, target] of targets.entries()) {
        const hits = await rosetta.search(target.label, { k: 5, hybrid });
        const rank = hits.findIndex((h) => h.path.endsWith(`/subject-${i}.png`));
        if (rank === 0) first += 1;
        if (rank >= 0) top5 += 1;
        if (hits[0] && withText(hits[0].path)) textFirst += 1;
        textInTop5 += hits.filter((h) => withText(h.path)).length;
      }
      subjectRows.push({
        search: hybrid ? 'hybrid (--hybrid)' : 'plain (no --hybrid)',
        queries: targets.length,
        'right picture first %': (100 * first) / targets.length,
        'in top 5 %': (100 * top5) / targets.length,
        'a picture with text first %': (100 * textFirst) / targets.length,
        'pictures with text in top 5 (mean)': textInTop5 / targets.length,
      });
    }
    printTable(
      `Subject queries: ${targets.length} emoji without text, each looked for by its English name (e.g. “${targets[0].label}”), ` +
        `among ${screens + distractors / 5} pictures with unrelated text and ${(4 * distractors) / 5 + targets.length - 1} without (same collection)`,
      subjectRows,
    );
    if (summary)
      console.log(
        `\nindex --ocr of ${screens + distractors + subjects} pictures: ${indexSeconds.toFixed(0)} s ` +
          `(${((screens + distractors + subjects) / indexSeconds).toFixed(2)} pictures/s), ` +
          `${summary.ocr?.lines} lines stored, ${summary.ocr?.failures.length} failures`,
      );
    else console.log(`\n(collection reused from ${base}: not indexed again)`);
  } finally {
    await rosetta.close();
  }
}

try {
  if (part !== 'search') await accuracy();
  if (part !== 'accuracy' && screens > 0) await search();
  console.log(
    `\npeak RSS ${peakRssMiB().toFixed(0)} MiB; load average at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
