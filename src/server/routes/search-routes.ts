import type { FastifyInstance } from 'fastify';
import {
  modalityNames,
  queryModalities,
  segmentKinds,
  type Modality,
  type QueryParts,
  type SearchFilter,
  type SearchOptions,
  type SearchResult,
} from '../../rosetta.js';
import { errorSchema } from '../http-errors.js';
import { jsonField, listField, numberField, readMultipartQuery, resolveMediaRef, validateAssembledBody } from '../media-ref.js';
import type { ServerContext } from '../server-context.js';
import { visibleResults } from '../visible-results.js';

const MAX_K = 500;

// Modality names, query parts and segment kinds come from the modality registry (src/modalities/).
const modalityEnum = modalityNames();
const weightsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(queryModalities().map((m) => [m.name, { type: 'number', minimum: 0 }])),
};
const filterSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    modality: { type: 'array', items: { type: 'string', enum: modalityEnum } },
    pathGlob: { type: 'string', maxLength: 1000 },
    minSize: { type: 'number' },
    maxSize: { type: 'number' },
    after: { type: 'number' },
    before: { type: 'number' },
    tags: { type: 'array', items: { type: 'string' } },
    kinds: { type: 'array', items: { type: 'string', enum: segmentKinds() } },
  },
};

export const searchBodySchema = {
  type: 'object',
  additionalProperties: false,
  description:
    'A text query, and/or a reference image or audio by URL or server path ' +
    '(multipart/form-data uploads take files `image`/`audio` and the same fields, objects as JSON strings).',
  properties: {
    text: { type: 'string', maxLength: 2000 },
    image: { type: 'string', description: 'http(s) URL or a path under a server root' },
    audio: { type: 'string', description: 'http(s) URL or a path under a server root' },
    weights: weightsSchema,
    k: { type: 'integer', minimum: 1, maximum: MAX_K, default: 10 },
    in: { type: 'array', items: { type: 'string', enum: modalityEnum } },
    filter: filterSchema,
    spaces: { type: 'array', items: { type: 'string' } },
    fusion: { type: 'string', enum: ['rrf', 'max-score'] },
    hybrid: { type: 'boolean' },
    speech: { type: 'boolean', description: 'only audio/video moments where someone speaks (items indexed with speech: true)' },
  },
} as const;

const resultSchema = {
  type: 'object',
  properties: {
    rank: { type: 'integer' },
    score: { type: 'number' },
    similarity: { type: 'number' },
    path: { type: 'string' },
    locations: { type: 'array', items: { type: 'string' } },
    modality: { type: 'string' },
    kind: { type: 'string' },
    itemHash: { type: 'string' },
    segmentId: { type: 'string' },
    t0: { type: 'number' },
    t1: { type: 'number' },
    text: { type: 'string' },
    space: { type: 'string' },
    spaces: { type: 'array', items: { type: 'string' } },
    ref: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    media: { type: 'string', description: 'URL of the file (supports Range)' },
    thumb: { type: 'string', description: 'URL of a small JPEG (images, video keyframes)' },
    box: {
      type: 'object',
      description: 'For a hit on text read in a picture (kind `ocr`): where the matched line is, in pixels of a width × height picture',
      properties: {
        corners: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
        bounds: { type: 'array', items: { type: 'number' } },
        width: { type: 'number' },
        height: { type: 'number' },
        t: { type: 'number' },
      },
    },
  },
};

export const searchResponseSchema = {
  type: 'object',
  properties: { results: { type: 'array', items: resultSchema }, tookMs: { type: 'number' } },
};

interface SearchBody {
  text?: string;
  image?: string;
  audio?: string;
  weights?: QueryParts['weights'];
  k?: number;
  in?: Modality[];
  filter?: SearchFilter;
  spaces?: string[];
  fusion?: SearchOptions['fusion'];
  hybrid?: boolean;
  speech?: boolean;
}

/**
 * Adds the URLs a client needs to show a hit. `Object.assign` rather than `{ ...r, media, thumb }`: V8 copies a
 * spread fast but then adds each extra key the slow way: 3.4 µs a hit against 0.4 µs (round four in BENCHMARKS.md).
 */
export function withLinks(r: SearchResult): SearchResult & { media: string; thumb?: string } {
  const t = r.t0 !== undefined ? `?t=${r.t0.toFixed(2)}` : '';
  const thumb = r.modality === 'image' || r.modality === 'video' ? `/api/thumb/${r.itemHash}${t}` : undefined;
  return Object.assign({}, r, { media: `/api/media/${r.itemHash}`, thumb });
}

export function registerSearchRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    '/api/search',
    {
      schema: {
        summary: 'Search the collection by text, image, audio or a weighted mix',
        tags: ['search'],
        consumes: ['application/json', 'multipart/form-data'],
        body: searchBodySchema,
        response: { 200: searchResponseSchema, '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request) => {
      const started = performance.now();
      let body: SearchBody;
      const parts: QueryParts = {};
      if (request.isMultipart()) {
        const { fields, files } = await readMultipartQuery(ctx, request, { image: ['image'], audio: ['audio'] });
        const one = (n: string) => fields[n]?.[0];
        body = validateAssembledBody(request, {
          text: one('text') || undefined,
          weights: jsonField('weights', one('weights')) ?? pickWeights(fields),
          k: numberField('k', one('k')),
          in: listField(fields.in) as Modality[] | undefined,
          filter: jsonField('filter', one('filter')),
          spaces: listField(fields.spaces),
          fusion: one('fusion') as SearchOptions['fusion'],
          hybrid: one('hybrid') === 'true' ? true : undefined,
          speech: one('speech') === 'true' ? true : undefined,
        });
        if (files.image) parts.image = files.image;
        if (files.audio) parts.audio = files.audio;
      } else {
        body = (request.body ?? {}) as SearchBody;
        if (body.image) parts.image = await resolveMediaRef(ctx, body.image, ['image']);
        if (body.audio) parts.audio = await resolveMediaRef(ctx, body.audio, ['audio']);
      }
      if (body.text) parts.text = body.text;
      if (body.weights) parts.weights = body.weights;
      const k = body.k ?? 10;
      const run = async (n: number) =>
        visibleResults(
          ctx.roots,
          await ctx.rosetta.search(parts, {
            k: n,
            in: body.in,
            filter: body.filter,
            spaces: body.spaces,
            fusion: body.fusion,
            hybrid: body.hybrid,
            speech: body.speech,
          }),
        );
      let { results, dropped } = await run(k);
      // Hits outside the roots were hidden: look further once so a full page still comes back.
      if (dropped > 0 && k < MAX_K) results = (await run(Math.min(MAX_K, k + dropped * 4))).results.slice(0, k);
      return { results: results.map(withLinks), tookMs: performance.now() - started };
    },
  );
}

function pickWeights(fields: Record<string, string[]>): QueryParts['weights'] | undefined {
  const w: Record<string, number> = {};
  for (const { name: m } of queryModalities()) {
    const v = numberField(`weight_${m}`, fields[`weight_${m}`]?.[0]);
    if (v !== undefined) w[m] = v;
  }
  return Object.keys(w).length ? w : undefined;
}
