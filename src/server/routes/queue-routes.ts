import type { FastifyInstance } from 'fastify';
import { errorSchema } from '../http-errors.js';
import type { ServerContext } from '../server-context.js';

/**
 * The distributed-ingest view (when the server was started with a queue): what `rosetta queue status`
 * prints — job counts, workers, and each recent run's progress, rate and failures with reasons.
 */
export function registerQueueRoutes(app: FastifyInstance, ctx: ServerContext, queueUrl: string): void {
  app.get(
    '/api/queue',
    {
      schema: {
        summary: 'Distributed ingest on Redis: job counts, workers, recent runs with progress, rate and failures',
        tags: ['jobs'],
        querystring: { type: 'object', properties: { runs: { type: 'integer', minimum: 1, maximum: 100 } } },
        response: { 200: { type: 'object', additionalProperties: true }, '4xx': errorSchema, '5xx': errorSchema },
      },
    },
    async (request) => {
      return ctx.rosetta.queueStatus(queueUrl, { runs: (request.query as { runs?: number }).runs ?? 5 });
    },
  );
}
