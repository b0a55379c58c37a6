import type { FastifyInstance, FastifyReply } from 'fastify';
import { ErrorCodes, type ItemFile } from '../../rosetta.js';
import { errorSchema, notFound } from '../http-errors.js';
import type { ServerContext } from '../server-context.js';

const hashParams = { type: 'object', properties: { itemHash: { type: 'string', pattern: '^[0-9a-f]{16,128}$' } }, required: ['itemHash'] };
const THUMB_SIDE = 320;

/** Parses a single `bytes=` range; undefined for no/ignored Range, 'bad' when unsatisfiable. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'bad' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return header.startsWith('bytes=') && header.includes(',') ? undefined : 'bad'; // several ranges: send it whole
  let start: number;
  let end: number;
  if (m[1] === '') {
    if (m[2] === '') return 'bad';
    const suffix = Number(m[2]);
    if (suffix === 0) return 'bad';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return 'bad';
  return { start, end };
}

function sendFile(reply: FastifyReply, file: ItemFile, rangeHeader: string | undefined): FastifyReply {
  const { size } = file;
  reply.header('accept-ranges', 'bytes');
  const range = parseRange(rangeHeader, size);
  if (range === 'bad') {
    return reply
      .status(416)
      .header('content-range', `bytes */${size}`)
      .type('application/json')
      .send({ error: { code: ErrorCodes.INVALID_ARGUMENT, message: `Range ${rangeHeader} is outside the file (${size} bytes)` } });
  }
  reply.header('content-type', file.mime).header('cache-control', 'private, max-age=3600');
  if (!range) return reply.header('content-length', size).send(file.open());
  return reply
    .status(206)
    .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
    .header('content-length', range.end - range.start + 1)
    .send(file.open(range));
}

export function registerMediaRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/api/media/:itemHash',
    {
      config: { tokenInQuery: true },
      schema: {
        summary: 'The file of an indexed item, with HTTP Range support (video and audio seek)',
        tags: ['media'],
        params: hashParams,
        produces: ['application/octet-stream'],
        response: { 200: { type: 'string', format: 'binary' }, 206: { type: 'string', format: 'binary' }, '4xx': errorSchema },
      },
    },
    async (request, reply) => {
      const { itemHash } = request.params as { itemHash: string };
      const file = await ctx.rosetta.mediaFile(itemHash, { readable: await ctx.roots.servableFilter() });
      if (!file) throw notFound(`A readable file of item ${itemHash}`);
      return sendFile(reply, file, request.headers.range);
    },
  );

  app.get(
    '/api/thumb/:itemHash',
    {
      config: { tokenInQuery: true },
      schema: {
        summary: 'A small preview of an image item (WebP keeping its transparency, else JPEG), or a JPEG of a video at `t` seconds',
        tags: ['media'],
        params: hashParams,
        querystring: { type: 'object', properties: { t: { type: 'number', minimum: 0 }, access_token: { type: 'string' } } },
        produces: ['image/jpeg', 'image/webp'],
        response: { 200: { type: 'string', format: 'binary' }, '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request, reply) => {
      const { itemHash } = request.params as { itemHash: string };
      const thumb = await ctx.rosetta.thumbnail(itemHash, {
        t: (request.query as { t?: number }).t,
        side: THUMB_SIDE,
        maxPixels: ctx.limits.maxPixels,
        readable: await ctx.roots.servableFilter(),
      });
      if (!thumb) throw notFound(`A thumbnail of item ${itemHash} (an indexed picture or video with a readable file)`);
      return reply.header('content-type', thumb.mime).header('cache-control', 'private, max-age=3600').send(thumb.bytes);
    },
  );
}
