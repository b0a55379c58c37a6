import type { FastifyInstance } from 'fastify';
import { invalidArgument, MAX_SPEAK_CHARS, modalities as listModalities, type Modality } from '../../rosetta.js';
import { errorSchema } from '../http-errors.js';
import { listField, mediaOf, whileConnected } from '../media-ref.js';
import type { ServerContext } from '../server-context.js';

const ref = { type: 'string', description: 'http(s) URL or a path under a server root (or a multipart file of that name)' };
const errors = { '4xx': errorSchema, '5xx': errorSchema };

const IMAGE_OR_AUDIO = { image: ['image'], audio: ['audio'] } as const;

export function registerToolRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    '/api/tag',
    {
      schema: {
        summary: 'Zero-shot classification of an image or audio clip over labels',
        tags: ['tools'],
        consumes: ['application/json', 'multipart/form-data'],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            image: ref,
            audio: ref,
            labels: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 1000 },
            template: { type: 'string' },
            space: { type: 'string' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              tags: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { label: { type: 'string' }, probability: { type: 'number' }, similarity: { type: 'number' } },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const { fields, image, audio } = await mediaOf(ctx, request, IMAGE_OR_AUDIO);
      const input = image ?? audio;
      if (!input) throw invalidArgument('image', 'an image or audio file (or a reference to one)', undefined);
      const labels = Array.isArray(fields.labels)
        ? fields.labels.map(String)
        : listField(typeof fields.labels === 'string' ? [fields.labels] : undefined);
      if (!labels) throw invalidArgument('labels', 'at least 2 labels', fields.labels);
      return {
        tags: await ctx.rosetta.tag(input, {
          labels,
          template: fields.template as string | undefined,
          space: fields.space as string | undefined,
        }),
      };
    },
  );

  app.post(
    '/api/caption',
    {
      schema: {
        summary: 'A caption of an image; offline without a captioning model, zero-shot tags from the collection space (kind `tags`)',
        tags: ['generate'],
        consumes: ['application/json', 'multipart/form-data'],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { image: ref, detail: { type: 'string', enum: ['short', 'detailed'] } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              text: { type: 'string' },
              kind: { type: 'string' },
              model: { type: 'string' },
              fallbackReason: { type: 'string' },
              tags: { type: 'array', items: { type: 'object', properties: { label: { type: 'string' }, score: { type: 'number' } } } },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const { fields, image } = await mediaOf(ctx, request, IMAGE_OR_AUDIO);
      if (!image) throw invalidArgument('image', 'an image file (or a reference to one)', undefined);
      return ctx.rosetta.caption(image, { detail: fields.detail as 'short' | 'detailed' | undefined });
    },
  );

  app.post(
    '/api/speak',
    {
      schema: {
        summary: 'Text to speech as a WAV file (a neural model when available, else espeak-ng)',
        tags: ['generate'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['text'],
          properties: {
            text: { type: 'string', minLength: 1, maxLength: MAX_SPEAK_CHARS },
            voice: { type: 'string', pattern: '^[A-Za-z0-9_+-]{1,40}$' },
            rate: { type: 'integer', minimum: 80, maximum: 450 },
          },
        },
        produces: ['audio/wav'],
        response: { 200: { type: 'string', format: 'binary' }, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body as { text: string; voice?: string; rate?: number };
      const result = await ctx.rosetta.speak(body.text, { voice: body.voice, rate: body.rate });
      return reply
        .header('content-type', 'audio/wav')
        .header('x-rosetta-engine', result.engine)
        .header('x-rosetta-duration', result.duration.toFixed(3))
        .send(result.wav);
    },
  );

  app.post(
    '/api/transcribe',
    {
      schema: {
        summary: 'Speech to text with timed segments (needs a Whisper model; offline without one it answers 503)',
        tags: ['generate'],
        consumes: ['application/json', 'multipart/form-data'],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            audio: ref,
            language: { type: 'string', maxLength: 20 },
            task: { type: 'string', enum: ['transcribe', 'translate'] },
            speechOnly: {
              type: 'boolean',
              default: true,
              description:
                'decode only where people speak (Silero VAD; the default). false decodes the whole file. ' +
                'A file without speech gives empty text and speechRegions: []',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              text: { type: 'string' },
              language: { type: 'string' },
              duration: { type: 'number' },
              model: { type: 'string' },
              segments: {
                type: 'array',
                items: { type: 'object', properties: { t0: { type: 'number' }, t1: { type: 'number' }, text: { type: 'string' } } },
              },
              speechRegions: { type: 'array', items: { type: 'object', properties: { t0: { type: 'number' }, t1: { type: 'number' } } } },
              decodedSeconds: { type: 'number' },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const { fields, audio } = await mediaOf(ctx, request, IMAGE_OR_AUDIO);
      if (!audio) throw invalidArgument('audio', 'an audio file (or a reference to one)', undefined);
      return whileConnected(request, (signal) =>
        ctx.rosetta.transcribe(audio, {
          language: fields.language as string | undefined,
          task: fields.task as 'transcribe' | 'translate' | undefined,
          signal,
          speechOnly: fields.speechOnly !== false && fields.speechOnly !== 'false',
        }),
      );
    },
  );

  app.post(
    '/api/score',
    {
      schema: {
        summary: 'Consistency of an image and a text in one space: cosine and CLIPScore',
        tags: ['eval'],
        consumes: ['application/json', 'multipart/form-data'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['text'],
          properties: { text: { type: 'string', minLength: 1, maxLength: 2000 }, image: ref, space: { type: 'string' } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              cosine: { type: 'number' },
              score: { type: 'number' },
              space: { type: 'string' },
              modalities: { type: 'array', items: { type: 'string' } },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const { fields, image } = await mediaOf(ctx, request, IMAGE_OR_AUDIO);
      const text = fields.text;
      if (typeof text !== 'string' || !text) throw invalidArgument('text', 'a non-empty string', text);
      if (!image) throw invalidArgument('image', 'an image file (or a reference to one)', undefined);
      const r = await ctx.rosetta.score(image, text, { space: typeof fields.space === 'string' ? fields.space : undefined });
      return { ...r, modalities: [r.modality, 'text'] };
    },
  );

  app.get(
    '/api/info',
    {
      schema: {
        summary: 'What the collection holds, and the server limits',
        tags: ['info'],
        response: { 200: { type: 'object', additionalProperties: true }, ...errors },
      },
    },
    async () => {
      const stats = await ctx.rosetta.stats();
      const modalities = new Set<Modality>(stats.spaces.flatMap((s) => s.modalities));
      if (modalities.has('image')) modalities.add('video');
      return {
        ...stats,
        searchable: [...modalities],
        // The modality registry (src/modalities/): the page builds its "Show" filter from it.
        modalities: listModalities().map((m) => ({ name: m.name, label: m.label, segmentKinds: m.segmentKinds })),
        limits: { uploadLimitBytes: ctx.limits.uploadLimitBytes, maxPixels: ctx.limits.maxPixels },
        roots: ctx.roots.list,
        routes: ['search', 'index', 'tag', 'caption', 'speak', 'transcribe', 'score', 'ocr', 'speech'],
        runningJob: ctx.jobs.running?.id ?? null,
        ocr: { running: ctx.ocrSlots.running, waiting: ctx.ocrSlots.waiting, completed: ctx.ocrSlots.completed },
      };
    },
  );
}
