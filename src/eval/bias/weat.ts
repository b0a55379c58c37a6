import type { Space } from '../../spaces/space.js';
import { invalidArgument } from '../../util/validate.js';
import { cosine } from '../../vectors/vector-math.js';
import { seededRandom, shuffleInPlace } from '../../util/random.js';
import defaultLists from './default-word-lists.json' with { type: 'json' };

export interface WordSet {
  name: string;
  words: string[];
}

/** One embedding association test: do targets X/Y associate differently with attributes A/B? */
export interface WeatTest {
  name?: string;
  targets: [WordSet, WordSet];
  attributes: [WordSet, WordSet];
}

export interface AuditOptions {
  /** Tests to run; default: the lists in `default-word-lists.json` (occupations × gendered terms, science/arts × gender). */
  tests?: WeatTest[];
  /** Random partitions for the p-value when exact enumeration is larger than this (default 10,000). */
  permutations?: number;
  seed?: number;
  /** Wrap each word in a template before embedding, e.g. "a photo of a {}" (default: the bare word). */
  template?: string;
}

export interface WeatResult {
  name: string;
  targets: [string, string];
  attributes: [string, string];
  /** Cohen's-d-style effect size (Caliskan et al. 2017): positive = X closer to A (and Y to B) than the reverse. */
  effectSize: number;
  /** One-sided permutation p-value of the test statistic over re-partitions of X ∪ Y. */
  pValue: number;
  /** s(X,Y,A,B) = Σx s(x,A,B) − Σy s(y,A,B). */
  statistic: number;
  permutations: number;
  exact: boolean;
  /** s(w,A,B) = mean cos(w,A) − mean cos(w,B) for each target word. */
  perWord: { word: string; set: string; association: number }[];
}

export interface AuditResult {
  space: { id: string; model: string; version: string };
  tests: WeatResult[];
  method: string;
  /** Always shown with the figures. */
  statement: string;
}

export const AUDIT_STATEMENT =
  'This is a probe, not a verdict: it measures associations between word lists in one embedding space. ' +
  'Effect sizes depend on the words chosen and say nothing by themselves about any downstream use; read them as a prompt to look closer.';

/** The default word lists shipped with Rosetta (`default-word-lists.json`). */
export const DEFAULT_AUDIT_TESTS: WeatTest[] = defaultLists.tests as WeatTest[];

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i += 1) r = (r * (n - k + i)) / i;
  return r;
}

/** Every k-subset of 0..n-1 (only called when their count is small). */
function* subsets(n: number, k: number, start = 0, prefix: number[] = []): Generator<number[]> {
  if (prefix.length === k) {
    yield prefix;
    return;
  }
  for (let i = start; i <= n - (k - prefix.length); i += 1) yield* subsets(n, k, i + 1, [...prefix, i]);
}

/**
 * WEAT from per-word associations: effect size (sample standard deviation over X ∪ Y, as R's `sd`) and a
 * one-sided permutation p-value, P(statistic of a random equal-size re-partition ≥ observed); exact when the
 * number of partitions is at most `permutations`, else Monte Carlo with the (1 + hits) / (1 + draws) estimate.
 */
export function weatFromAssociations(
  sx: readonly number[],
  sy: readonly number[],
  permutations = 10_000,
  seed = 0,
): Pick<WeatResult, 'effectSize' | 'pValue' | 'statistic' | 'permutations' | 'exact'> {
  const all = [...sx, ...sy];
  const total = all.reduce((a, b) => a + b, 0);
  const statistic = sx.reduce((a, b) => a + b, 0) - sy.reduce((a, b) => a + b, 0);
  const m = mean(all);
  const sd = Math.sqrt(all.reduce((a, b) => a + (b - m) ** 2, 0) / (all.length - 1));
  const effectSize = sd > 0 ? (mean(sx) - mean(sy)) / sd : 0;
  // For a partition with X-part sum S, the statistic is S − (total − S) = 2S − total.
  const statOf = (idx: readonly number[]) => 2 * idx.reduce((a, i) => a + all[i], 0) - total;
  const eps = 1e-12 * Math.max(1, Math.abs(statistic));
  const count = binomial(all.length, sx.length);
  if (count <= permutations) {
    let hits = 0;
    for (const idx of subsets(all.length, sx.length)) if (statOf(idx) >= statistic - eps) hits += 1;
    return { effectSize, pValue: hits / count, statistic, permutations: count, exact: true };
  }
  const random = seededRandom(seed);
  const order = all.map((_, i) => i);
  let hits = 0;
  for (let p = 0; p < permutations; p += 1) {
    shuffleInPlace(order, random);
    if (statOf(order.slice(0, sx.length)) >= statistic - eps) hits += 1;
  }
  return { effectSize, pValue: (1 + hits) / (1 + permutations), statistic, permutations, exact: false };
}

function checkSets(test: WeatTest, k: number): void {
  const sets = [...(test.targets ?? []), ...(test.attributes ?? [])];
  if (sets.length !== 4 || sets.some((s) => !s || typeof s.name !== 'string' || !Array.isArray(s.words) || s.words.length === 0)) {
    throw invalidArgument(`tests[${k}]`, 'two target and two attribute sets, each {name, words: string[]} with at least one word', test);
  }
  if (test.targets[0].words.length + test.targets[1].words.length < 3)
    throw invalidArgument(`tests[${k}].targets`, 'at least 3 target words in all', test.targets);
}

/**
 * Bias probe: embedding association tests (WEAT, Caliskan et al. 2017) between target concepts and attribute
 * terms in a space's text tower, with effect sizes and permutation p-values, and a plain statement that it is
 * a probe, not a verdict.
 */
export async function audit(space: Space, options: AuditOptions = {}): Promise<AuditResult> {
  const tests = options.tests ?? DEFAULT_AUDIT_TESTS;
  tests.forEach(checkSets);
  const template = options.template ?? '{}';
  if (!template.includes('{}')) throw invalidArgument('template', 'a template containing {}', template);
  const words = [...new Set(tests.flatMap((t) => [...t.targets, ...t.attributes].flatMap((s) => s.words)))];
  const vecs = await space.embedTexts(words.map((w) => template.replaceAll('{}', w)));
  const vec = new Map(words.map((w, k) => [w, vecs[k]]));
  const results = tests.map((t, k): WeatResult => {
    const [A, B] = t.attributes.map((s) => s.words.map((w) => vec.get(w)!));
    const assoc = (w: string) => mean(A.map((a) => cosine(vec.get(w)!, a))) - mean(B.map((b) => cosine(vec.get(w)!, b)));
    const sx = t.targets[0].words.map(assoc);
    const sy = t.targets[1].words.map(assoc);
    return {
      name: t.name ?? `test ${k + 1}`,
      targets: [t.targets[0].name, t.targets[1].name],
      attributes: [t.attributes[0].name, t.attributes[1].name],
      ...weatFromAssociations(sx, sy, options.permutations ?? 10_000, options.seed ?? 0),
      perWord: [
        ...t.targets[0].words.map((word, i) => ({ word, set: t.targets[0].name, association: sx[i] })),
        ...t.targets[1].words.map((word, i) => ({ word, set: t.targets[1].name, association: sy[i] })),
      ],
    };
  });
  return {
    space: { id: space.id, model: space.model, version: space.version },
    tests: results,
    method:
      'WEAT (Caliskan et al. 2017): s(w,A,B) = mean cos(w,a) − mean cos(w,b); effect size = (mean over X − mean over Y) / ' +
      'sample std over X ∪ Y; one-sided permutation p-value over equal-size re-partitions of X ∪ Y' +
      (template === '{}' ? '.' : `; words embedded as "${template}".`),
    statement: AUDIT_STATEMENT,
  };
}
