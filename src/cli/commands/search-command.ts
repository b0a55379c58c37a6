import type { Command } from 'commander';
import {
  ErrorCodes,
  RosettaError,
  findModality,
  modalities,
  queryModalities,
  segmentKinds,
  type Modality,
  type QueryParts,
  type SearchFilter,
  type SearchResult,
  type SegmentKind,
} from '../../core.js';
import { action, addCommonOptions, parseIntStrict, printJson, withCollection, type CommonOptions } from '../shared.js';

interface SearchFlags extends CommonOptions {
  image?: string;
  audio?: string;
  text?: string;
  weights?: string;
  k: number;
  in?: string;
  filter?: string[];
  spaces?: string;
  fusion?: 'rrf' | 'max-score';
  hybrid?: boolean;
  adapter: boolean;
}

export function registerSearch(program: Command): void {
  addCommonOptions(program.command('search').description('find images, text, audio and video moments by meaning'))
    .argument('[text]', 'what to look for, in words')
    .option('--image <path>', 'a reference image (alone, or mixed with text)')
    .option('--audio <path>', 'a reference sound clip')
    .option('--text <text>', 'text part of a composed query (same as the positional argument)')
    .option('--weights <w>', 'weights of the parts in order image,text[,audio] or as name=w pairs, e.g. 0.6,0.4 or image=0.6,text=0.4')
    .option('-k, --k <n>', 'number of results', (v) => parseIntStrict('--k', v), 10)
    .option(
      '--in <modalities>',
      `only these modalities: ${modalities()
        .map((m) => m.label)
        .join(',')}; \`speech\`: only audio/video moments where someone speaks (after index --speech)`,
    )
    .option(
      '--filter <expr...>',
      `filters: path=GLOB, tag=T, size>N, size<N, after=DATE, before=DATE, kind=K (${segmentKinds().join(', ')})`,
    )
    .option('--spaces <ids>', 'only these spaces (comma-separated)')
    .option('--fusion <method>', 'merge across spaces: rrf (default) or max-score')
    .option(
      '--hybrid',
      'also match keywords in captions, text and transcripts (words read in pictures by index --ocr count with or without it)',
    )
    .option('--no-adapter', "ignore the collection's trained adapters")
    .action(
      action(async (text: string | undefined, o: SearchFlags) => {
        const parts: QueryParts = { text: o.text ?? text, image: o.image, audio: o.audio };
        if (o.weights) parts.weights = parseWeights(o.weights, parts);
        // Opened read-only: searching where nothing was indexed is COLLECTION_NOT_FOUND, and creates nothing.
        await withCollection(o, async (rosetta) => {
          const results = await rosetta.search(parts, {
            k: o.k,
            in: parseModalities(o.in),
            speech: o.in?.split(',').some((s) => s.trim() === 'speech') || undefined,
            filter: parseFilters(o.filter ?? []),
            spaces: o.spaces?.split(',').map((s) => s.trim()),
            fusion: o.fusion,
            hybrid: o.hybrid,
            adapter: o.adapter,
          });
          if (o.json) printJson({ query: { text: parts.text, image: parts.image, audio: parts.audio, weights: parts.weights }, results });
          else printResults(results);
        });
      }),
    );
}

function printResults(results: SearchResult[]): void {
  if (results.length === 0) {
    process.stdout.write('no results\n');
    return;
  }
  for (const r of results) {
    const text = r.text ? `  “${r.text.length > 60 ? `${r.text.slice(0, 59)}…` : r.text}”` : '';
    const where = r.box ? `  (text in picture at ${r.box.bounds[0]},${r.box.bounds[1]} ${r.box.bounds[2]}×${r.box.bounds[3]})` : '';
    process.stdout.write(
      `${String(r.rank).padStart(3)}. ${r.score.toFixed(4)}  ${r.modality.padEnd(5)}  ${r.ref}  [${r.space}]${text}${where}\n`,
    );
  }
}

/** `0.6,0.4` (image,text,audio order, for the parts given) or `image=0.6,text=0.4`. */
export function parseWeights(spec: string, parts: QueryParts): QueryParts['weights'] {
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const out: Record<string, number> = {};
  const names = queryModalities().map((m) => m.name as string);
  // Positional weights follow the order --weights documents: the reference media first, then text.
  const order = (['image', 'text', 'audio'] as const).filter((m) => parts[m] !== undefined);
  entries.forEach((e, i) => {
    const [name, value] = e.includes('=') ? e.split('=') : [order[i], e];
    const w = Number(value);
    if (!name || !names.includes(name) || !Number.isFinite(w) || w < 0) {
      throw new RosettaError(ErrorCodes.QUERY_INVALID, `Cannot read weight '${e}' in --weights ${spec}`, {
        setting: 'weights',
        hint: 'use e.g. --weights 0.6,0.4 (image,text) or --weights image=0.6,text=0.4',
      });
    }
    out[name] = w;
  });
  return out;
}

export function parseModalities(spec?: string): Modality[] | undefined {
  if (!spec) return undefined;
  const parts = spec.split(',').filter((s) => s.trim() !== 'speech');
  if (parts.length === 0) return undefined;
  return parts.map((s) => {
    // A modality's name or label (`image`, `images`), or a plural of the name (`texts`).
    const m = findModality(s.trim()) ?? findModality(s.trim().replace(/s$/, ''));
    if (!m)
      throw new RosettaError(
        ErrorCodes.INVALID_ARGUMENT,
        `Expected one of: ${modalities()
          .map((x) => x.label)
          .join(', ')}, speech for --in but received '${s}'`,
        { setting: 'in' },
      );
    return m.name;
  });
}

export function parseFilters(exprs: string[]): SearchFilter {
  const f: SearchFilter = {};
  for (const e of exprs) {
    const m = /^(path|tag|size|after|before|kind)\s*(=|>|<)\s*(.+)$/.exec(e.trim());
    if (!m)
      throw new RosettaError(ErrorCodes.INVALID_ARGUMENT, `Cannot read filter '${e}'`, {
        setting: 'filter',
        hint: 'use path=GLOB, tag=T, size>N, size<N, after=2024-01-01, before=2024-12-31',
      });
    const [, key, op, value] = m;
    if (key === 'path') f.pathGlob = value;
    else if (key === 'tag') (f.tags ??= []).push(value);
    else if (key === 'kind') {
      if (!segmentKinds().includes(value as SegmentKind))
        throw new RosettaError(
          ErrorCodes.INVALID_ARGUMENT,
          `Expected one of: ${segmentKinds().join(', ')} for kind in filter '${e}' but received '${value}'`,
          { setting: 'filter' },
        );
      (f.kinds ??= []).push(value as SegmentKind);
    } else if (key === 'size') {
      const n = parseSize(value);
      if (op === '>') f.minSize = n;
      else if (op === '<') f.maxSize = n;
      else {
        f.minSize = n;
        f.maxSize = n;
      }
    } else {
      const t = Date.parse(value);
      if (Number.isNaN(t))
        throw new RosettaError(ErrorCodes.INVALID_ARGUMENT, `Cannot read date '${value}' in filter '${e}'`, {
          setting: 'filter',
          hint: 'use ISO dates like 2024-06-30',
        });
      if (key === 'after') f.after = t;
      else f.before = t;
    }
  }
  return f;
}

function parseSize(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(k|kb|m|mb|g|gb)?$/i.exec(v.trim());
  if (!m) throw new RosettaError(ErrorCodes.INVALID_ARGUMENT, `Cannot read size '${v}'`, { setting: 'filter', hint: 'e.g. size>200kb' });
  const mult = { k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9 }[(m[2] ?? '').toLowerCase() as 'k'] ?? 1;
  return Math.round(Number(m[1]) * mult);
}
