import type { FastifyInstance } from 'fastify';
import { invalidArgument } from '../../rosetta.js';
import { errorSchema } from '../http-errors.js';
import type { ServerContext } from '../server-context.js';
import { mediaOf, whileConnected } from '../media-ref.js';

const ref = { type: 'string', description: 'http(s) URL or a path under a server root (or a multipart file of that name)' };
const errors = { '4xx': errorSchema, '5xx': errorSchema };
const point = { type: 'array', items: { type: 'number' } };

/** Text in pictures (PaddleOCR) and where people speak (Silero VAD): the real shipped models, offline. */
export function registerOcrSpeechRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    '/api/ocr',
    {
      schema: {
        summary: 'The text in an image: lines in reading order with boxes and confidences (PaddleOCR PP-OCRv4, offline)',
        tags: ['tools'],
        consumes: ['application/json', 'multipart/form-data'],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { image: ref, minConfidence: { type: 'number', minimum: 0, maximum: 1 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              text: { type: 'string' },
              width: { type: 'number' },
              height: { type: 'number' },
              model: { type: 'string' },
              lines: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    text: { type: 'string' },
                    confidence: { type: 'number' },
                    angle: { type: 'number' },
                    box: { type: 'array', items: point },
                    bounds: point,
                  },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const { fields, image } = await mediaOf(ctx, request, { image: ['image'] } as const);
      if (!image) throw invalidArgument('image', 'an image file (or a reference to one)', undefined);
      const minConfidence = fields.minConfidence === undefined ? undefined : Number(fields.minConfidence);
      // A bounded line (a full one answers 503 with Retry-After); a client that leaves stops its OCR at the next stage.
      // Read in a worker thread: ONNX Runtime holds the calling thread for each model pass, and cheap routes must answer.
      return whileConnected(request, (signal) =>
        ctx.ocrSlots.run(signal, () => ctx.rosetta.ocr(image, { minConfidence, maxPixels: ctx.limits.maxPixels, signal, thread: true })),
      );
    },
  );

  app.post(
    '/api/speech',
    {
      schema: {
        summary: 'Where people speak in an audio or video file: speech regions in seconds (Silero VAD, offline)',
        tags: ['tools'],
        consumes: ['application/json', 'multipart/form-data'],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { audio: ref, threshold: { type: 'number', minimum: 0.01, maximum: 0.99 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              regions: { type: 'array', items: { type: 'object', properties: { t0: { type: 'number' }, t1: { type: 'number' } } } },
              duration: { type: 'number' },
              speechSeconds: { type: 'number' },
              model: { type: 'string' },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const { fields, audio } = await mediaOf(ctx, request, { audio: ['audio', 'video'] } as const);
      if (!audio) throw invalidArgument('audio', 'an audio or video file (or a reference to one)', undefined);
      const threshold = fields.threshold === undefined ? undefined : Number(fields.threshold);
      const { regions, duration, speechSeconds, model } = await whileConnected(request, (signal) =>
        ctx.rosetta.speech(audio, { threshold, signal }),
      );
      return { regions, duration, speechSeconds, model };
    },
  );
}
