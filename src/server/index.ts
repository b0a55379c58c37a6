import type { createServer as CreateServer } from './create-server.js';
export type { RosettaServer } from './create-server.js';

/** See create-server.ts; Fastify and its plugins load on the first call, not with the package (CLI start-up). */
export async function createServer(...args: Parameters<typeof CreateServer>): ReturnType<typeof CreateServer> {
  return (await import('./create-server.js')).createServer(...args);
}
export { DEFAULT_PORT, DEFAULT_UPLOAD_LIMIT, type ServerOptions } from './server-context.js';
export type { JobView, JobStatus } from './jobs.js';
