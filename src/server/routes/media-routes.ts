import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ItemRecord } from '../../store/vector-store.js';
import { locateFfmpeg } from '../../media/ffmpeg/locate.js';
import { runMediaProgram } from '../../media/ffmpeg/process.js';
import { makeThumbnail } from '../../media/image/thumbnail.js';
import { ErrorCodes } from '../../errors/codes.js';
import { errorSchema, HttpError, notFound } from '../http-errors.js';
import type { ServerContext } from '../server-context.js';

const hashParams = { type: 'object', properties: { itemHash: { type: 'string', pattern: '^[0-9a-f]{16,128}$' } }, required: ['itemHash'] };
const THUMB_SIDE = 320;

/**
 * The first location of an item that is still a regular file the server may serve (under its roots, by
 * real path: a link swapped in since indexing is not followed out). URLs and vanished files are skipped.
 */
async function localFile(ctx: ServerContext, hash: string): Promise<{ item: ItemRecord; path: string; size: number }> {
  const item = await ctx.rosetta.item(hash);
  if (!item) throw notFound('Item');
  const readable = await ctx.roots.readable();
  for (const location of item.locations) {
    const real = await ctx.roots.servable(location, readable);
    if (!real) continue;
    try {
      const s = await stat(real);
      if (s.isFile()) return { item, path: real, size: s.size };
    } catch { /* moved or deleted since it was indexed */ }
  }
  throw notFound(`A readable file of item ${hash}`);
}

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

function sendFile(reply: FastifyReply, path: string, size: number, mime: string, rangeHeader: string | undefined): FastifyReply {
  reply.header('accept-ranges', 'bytes');
  const range = parseRange(rangeHeader, size);
  if (range === 'bad') {
    return reply.status(416).header('content-range', `bytes */${size}`).type('application/json')
      .send({ error: { code: ErrorCodes.INVALID_ARGUMENT, message: `Range ${rangeHeader} is outside the file (${size} bytes)` } });
  }
  reply.header('content-type', mime).header('cache-control', 'private, max-age=3600');
  if (!range) return reply.header('content-length', size).send(createReadStream(path));
  return reply.status(206)
    .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
    .header('content-length', range.end - range.start + 1)
    .send(createReadStream(path, { start: range.start, end: range.end }));
}

/** One video frame at `t` seconds as JPEG bytes, via ffmpeg (a media child: time-limited, reaped, dies with the server). */
async function videoFrame(path: string, t: number): Promise<Buffer> {
  const { ffmpeg } = await locateFfmpeg();
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-ss', String(Math.max(0, t)), '-i', path,
    '-frames:v', '1', '-vf', `scale=${THUMB_SIDE}:-2`, '-f', 'image2pipe', '-vcodec', 'mjpeg', 'pipe:1'];
  const out = await runMediaProgram(ffmpeg, args, { file: path, timeoutMs: 15_000 })
    .catch(() => Buffer.alloc(0));
  if (out.length === 0) throw new HttpError(422, ErrorCodes.MEDIA_CORRUPT, `No frame at ${t}s in ${path}`);
  return out;
}

export function registerMediaRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/media/:itemHash', {
    config: { tokenInQuery: true },
    schema: {
      summary: 'The file of an indexed item, with HTTP Range support (video and audio seek)',
      tags: ['media'], params: hashParams,
      produces: ['application/octet-stream'],
      response: { 200: { type: 'string', format: 'binary' }, 206: { type: 'string', format: 'binary' }, '4xx': errorSchema },
    },
  }, async (request, reply) => {
    const { item, path, size } = await localFile(ctx, (request.params as { itemHash: string }).itemHash);
    return sendFile(reply, path, size, item.mime || 'application/octet-stream', request.headers.range);
  });

  app.get('/api/thumb/:itemHash', {
    config: { tokenInQuery: true },
    schema: {
      summary: 'A small preview of an image item (WebP keeping its transparency, else JPEG), or a JPEG of a video at `t` seconds',
      tags: ['media'], params: hashParams,
      querystring: { type: 'object', properties: { t: { type: 'number', minimum: 0 }, access_token: { type: 'string' } } },
      produces: ['image/jpeg', 'image/webp'],
      response: { 200: { type: 'string', format: 'binary' }, '4xx': errorSchema },
    },
  }, async (request, reply) => {
    const { item, path } = await localFile(ctx, (request.params as { itemHash: string }).itemHash);
    const t = (request.query as { t?: number }).t ?? 0;
    let source: string | Buffer;
    if (item.modality === 'image') source = path;
    else if (item.modality === 'video') source = await videoFrame(path, Math.min(t, Math.max(0, (item.duration ?? t) - 0.05)));
    else throw new HttpError(404, ErrorCodes.SERVER_NOT_FOUND, `A ${item.modality} item has no thumbnail`);
    const thumb = await makeThumbnail(source, { side: THUMB_SIDE, maxPixels: ctx.limits.maxPixels, name: path });
    return reply.header('content-type', thumb.mime).header('cache-control', 'private, max-age=3600').send(thumb.bytes);
  });
}
