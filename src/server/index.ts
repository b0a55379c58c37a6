export { createServer, type RosettaServer } from './create-server.js';
export { DEFAULT_PORT, DEFAULT_UPLOAD_LIMIT, type ServerOptions } from './server-context.js';
export { isPrivateAddress, safeFetch } from '../media/remote/safe-fetch.js';
export type { JobView, JobStatus } from './jobs.js';
