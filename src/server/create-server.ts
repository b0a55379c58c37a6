import { isIP } from 'node:net';
import { resolve } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import { DEFAULT_MAX_PIXELS, ErrorCodes, RosettaError, type Rosetta } from '../rosetta.js';
import { makeAuthHook, resolveBindHost } from './auth.js';
import {
  DEFAULT_CONNECTION_LIMITS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
  guardConnections,
  serverTimeoutOptions,
} from './connection-guard.js';
import { clientErrorHandler, errorHandler, frameworkErrorHandler, HttpError } from './http-errors.js';
import { JobManager } from './jobs.js';
import { Roots } from './roots.js';
import { DEFAULT_PORT, DEFAULT_UPLOAD_LIMIT, type ServerContext, type ServerOptions } from './server-context.js';
import { registerStaticFiles } from './static-files.js';
import { registerSearchRoutes } from './routes/search-routes.js';
import { registerIndexRoutes } from './routes/index-routes.js';
import { registerMediaRoutes } from './routes/media-routes.js';
import { registerToolRoutes } from './routes/tool-routes.js';
import { registerOcrSpeechRoutes } from './routes/ocr-speech-routes.js';
import { registerQueueRoutes } from './routes/queue-routes.js';
import { DEFAULT_OCR_SLOTS, WorkSlots } from './work-slots.js';

/** A built server: listen, then close (which checkpoints the running job first). */
export interface RosettaServer {
  app: FastifyInstance;
  jobs: JobManager;
  /** Starts listening; resolves to the base URL (e.g. `http://127.0.0.1:7878`). */
  listen(): Promise<string>;
  /** Aborts queued/running jobs (items commit whole, nothing is lost), waits for them, and stops the server. */
  close(): Promise<void>;
}

/**
 * Builds the HTTP API and web UI over an open collection. Refuses a non-loopback `host` without a token.
 * @example
 * const server = await createServer(rosetta, { port: 7878, roots: ['./photos'] });
 * console.log(await server.listen());
 */
export async function createServer(rosetta: Rosetta, options: ServerOptions = {}): Promise<RosettaServer> {
  const bind = await resolveBindHost(options.host ?? '127.0.0.1');
  const port = options.port ?? DEFAULT_PORT;
  if (!bind.loopback && !options.token) {
    const why = bind.addresses.length
      ? `it is ${bind.addresses.join(', ')}, where anyone on the network could use the API`
      : 'it does not resolve here, so it cannot be shown to be loopback';
    throw new RosettaError(ErrorCodes.SERVER_UNSAFE_BIND, `Refusing to listen on ${bind.host} without a token: ${why}`, {
      setting: 'host',
      hint: 'set a token (--token or ROSETTA_TOKEN), or bind to 127.0.0.1',
    });
  }
  // Listen on the address that was checked, so a name cannot resolve differently a moment later.
  const host = options.token || isIP(bind.host) || bind.host === 'localhost' ? bind.host : bind.addresses[0];
  if (options.token !== undefined && options.token.length < 8) {
    throw new RosettaError(ErrorCodes.INVALID_ARGUMENT, 'The server token is shorter than 8 characters', {
      setting: 'token',
      hint: 'use a long random token, e.g. `openssl rand -hex 24`',
    });
  }
  // A served collection exists from the start, so other processes (the CLI, workers) can write into it.
  await rosetta.create();
  const limits = { uploadLimitBytes: options.uploadLimitBytes ?? DEFAULT_UPLOAD_LIMIT, maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS };
  const uploadDir = resolve(options.uploadDir ?? `${rosetta.dir}-uploads`);
  const ctx: ServerContext = {
    rosetta,
    jobs: new JobManager(),
    roots: await Roots.create(options.roots ?? [], uploadDir),
    limits,
    uploadDir,
    allowPrivateUrls: options.allowPrivateUrls ?? false,
    ocrSlots: new WorkSlots({ ...DEFAULT_OCR_SLOTS, ...options.ocrQueue }, 'OCR', 'ocrQueue'),
  };

  const connectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...options.timeouts };
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: true,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    ...serverTimeoutOptions(connectionLimits),
  });
  guardConnections(app, connectionLimits, {
    perClient: options.maxConnectionsPerClient ?? DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
    total: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send({ error: { code: ErrorCodes.SERVER_NOT_FOUND, message: `No route ${request.method} ${request.url.split('?')[0]}` } });
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Rosetta', version: '0.1.0', description: 'Multimodal search, tagging and generation over a Rosetta collection.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: options.token ? [{ bearer: [] }] : [],
    },
  });
  if (options.rateLimit !== false) {
    const { max, windowMs } = options.rateLimit ?? { max: 600, windowMs: 60_000 };
    await app.register(rateLimit, {
      global: true,
      max,
      timeWindow: windowMs,
      errorResponseBuilder: (_request, context) =>
        new HttpError(
          429,
          ErrorCodes.SERVER_RATE_LIMIT,
          `Too many requests: the limit is ${context.max} per ${Math.round(windowMs / 1000)} s; retry in ${Math.ceil(context.ttl / 1000)} s`,
        ),
    });
  }
  await app.register(multipart, {
    limits: { fileSize: limits.uploadLimitBytes, files: 256, fields: 100, fieldSize: 1024 * 1024, parts: 400 },
    throwFileSizeLimit: true,
  });
  // Multipart bodies are read by the handlers as streams; the JSON schemas describe the JSON form only.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined && request.isMultipart()) request.body = {};
    done();
  });
  if (options.token) {
    app.addHook('onRequest', makeAuthHook(options.token));
  }
  // Browsers must not be able to drive the API from another origin (no CORS headers are sent); this also
  // keeps the JSON answers from being sniffed as something else.
  app.addHook('onSend', (_request, reply, _payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    done();
  });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get(
    '/api/health',
    { schema: { summary: 'Liveness', tags: ['info'], response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } } },
    async () => ({ ok: true }),
  );
  registerSearchRoutes(app, ctx);
  registerIndexRoutes(app, ctx);
  registerMediaRoutes(app, ctx);
  registerToolRoutes(app, ctx);
  registerOcrSpeechRoutes(app, ctx);
  if (options.queue) registerQueueRoutes(app, ctx, options.queue);
  registerStaticFiles(app);
  await app.ready();

  let closed = false;
  return {
    app,
    jobs: ctx.jobs,
    async listen() {
      return app.listen({ host, port });
    },
    async close() {
      if (closed) return;
      closed = true;
      await ctx.jobs.shutdown();
      await app.close();
    },
  };
}
