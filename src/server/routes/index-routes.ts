import type { FastifyInstance } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { invalidArgument, modalityNames, type IndexProgress, type IndexSummary } from '../../rosetta.js';
import { errorSchema, notFound } from '../http-errors.js';
import { isFinished, type JobView } from '../jobs.js';
import { listField } from '../media-ref.js';
import { discardUploads, storeBytes, storeUpload, type StoredUpload } from '../uploads.js';
import type { ServerContext } from '../server-context.js';

const INDEXABLE = modalityNames();

const jobSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'running', 'done', 'failed', 'aborted'] },
    progress: { type: 'object', additionalProperties: true },
    result: { type: 'object', additionalProperties: true },
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
    createdAt: { type: 'string' },
    finishedAt: { type: 'string' },
  },
};
const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] };

interface IndexBody {
  paths?: string[];
  urls?: string[];
  tags?: string[];
  prune?: boolean;
  ocr?: boolean;
  speech?: boolean;
}

export function registerIndexRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    '/api/index',
    {
      schema: {
        summary: 'Index server paths (under the roots), URLs, or uploaded files; returns a job to poll or stream',
        tags: ['index'],
        consumes: ['application/json', 'multipart/form-data'],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            paths: { type: 'array', items: { type: 'string' }, maxItems: 10_000 },
            urls: { type: 'array', items: { type: 'string' }, maxItems: 100 },
            tags: { type: 'array', items: { type: 'string' } },
            prune: { type: 'boolean' },
            speech: {
              type: 'boolean',
              description: 'also find where people speak in audio and video (Silero VAD), for search with speech: true',
            },
            ocr: {
              type: 'boolean',
              description: 'also read the text in pictures and video keyframes (PaddleOCR), so search finds them by their words',
            },
          },
        },
        response: { 202: { type: 'object', properties: { job: jobSchema } }, '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request, reply) => {
      const targets: string[] = [];
      const uploads: StoredUpload[] = [];
      let tags: string[] | undefined;
      let prune = false;
      let ocr = false;
      let speech = false;
      try {
        if (request.isMultipart()) {
          const fields: Record<string, string[]> = {};
          for await (const part of request.parts()) {
            if (part.type === 'file') uploads.push(await storeUpload(ctx, part as MultipartFile, ctx.uploadDir, INDEXABLE));
            else (fields[part.fieldname] ??= []).push(String(part.value));
          }
          tags = listField(fields.tags);
          ocr = fields.ocr?.[0] === 'true';
          speech = fields.speech?.[0] === 'true';
          for (const p of listField(fields.paths) ?? []) targets.push(await ctx.roots.confine(p));
        } else {
          const body = (request.body ?? {}) as IndexBody;
          // Check every path and URL before starting: a refused one fails the request, not half a job.
          for (const p of body.paths ?? []) targets.push(await ctx.roots.confine(p));
          for (const url of body.urls ?? []) {
            const bytes = await ctx.rosetta.fetchUrl(url, { maxBytes: ctx.limits.uploadLimitBytes, allowPrivate: ctx.allowPrivateUrls });
            uploads.push(await storeBytes(ctx, bytes, ctx.uploadDir, new URL(url).pathname.split('/').pop() || 'download', INDEXABLE));
          }
          tags = body.tags;
          prune = body.prune ?? false;
          ocr = body.ocr ?? false;
          speech = body.speech ?? false;
        }
        targets.push(...uploads.map((u) => u.path));
        if (targets.length === 0) throw invalidArgument('paths', 'at least one path, URL or uploaded file', []);
      } catch (error) {
        // A request refused part-way (too many parts, a bad file, a refused URL) leaves none of its files behind.
        await discardUploads(uploads);
        throw error;
      }
      // The walk below the named paths stays inside the roots too: a link in there leading out is refused.
      const within = await ctx.roots.readable();
      const job = ctx.jobs.start<IndexProgress, IndexSummary>('index', async ({ signal, report }) => {
        const summary = await ctx.rosetta.index(targets, { tags, prune, signal, onProgress: report, within, ocr, speech });
        // An uploaded file that could not be indexed (corrupt, say) is not kept either.
        const failed = new Set(summary.failures.map((f) => f.path));
        await discardUploads(uploads.filter((u) => failed.has(u.path)));
        return summary;
      });
      return reply.status(202).send({ job });
    },
  );

  app.get(
    '/api/jobs/:id',
    {
      schema: {
        summary: 'A job: status, progress, result',
        tags: ['jobs'],
        params: idParams,
        response: { 200: jobSchema, '4xx': errorSchema },
      },
    },
    async (request) => {
      const job = ctx.jobs.get((request.params as { id: string }).id);
      if (!job) throw notFound('Job');
      return job;
    },
  );

  app.delete(
    '/api/jobs/:id',
    {
      schema: {
        summary: 'Cancel a job (items already committed stay)',
        tags: ['jobs'],
        params: idParams,
        response: { 200: jobSchema, '4xx': errorSchema },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      if (!ctx.jobs.get(id)) throw notFound('Job');
      ctx.jobs.cancel(id);
      return ctx.jobs.get(id);
    },
  );

  app.get(
    '/api/jobs/:id/events',
    {
      config: { tokenInQuery: true },
      schema: {
        summary: 'Server-sent events of a job: one `job` event per change, ending when it finishes',
        tags: ['jobs'],
        params: idParams,
        produces: ['text/event-stream'],
        response: { 200: { type: 'string', description: 'text/event-stream; each event carries the job as JSON' }, '4xx': errorSchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const first = ctx.jobs.get(id);
      if (!first) throw notFound('Job');
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const send = (job: JobView) => res.write(`event: job\ndata: ${JSON.stringify(job)}\n\n`);
      let unsubscribe = () => {};
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      const end = () => {
        clearInterval(heartbeat);
        unsubscribe();
        if (!res.writableEnded) res.end();
      };
      // Progress arrives faster than a page can draw: send at most ~10 events a second, and always the last.
      let pending: JobView | undefined;
      let timer: NodeJS.Timeout | undefined;
      const flush = () => {
        timer = undefined;
        if (pending) {
          send(pending);
          if (isFinished(pending.status)) end();
          pending = undefined;
        }
      };
      unsubscribe = ctx.jobs.subscribe(id, (job) => {
        pending = job;
        if (isFinished(job.status)) {
          if (timer) clearTimeout(timer);
          flush();
          return;
        }
        timer ??= setTimeout(flush, 100);
      });
      request.raw.on('close', () => {
        if (timer) clearTimeout(timer);
        end();
      });
      send(first);
      if (isFinished(first.status)) end();
    },
  );
}
