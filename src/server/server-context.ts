import type { Rosetta } from '../rosetta.js';
import type { ConnectionLimits } from './connection-guard.js';
import type { JobManager } from './jobs.js';
import type { Roots } from './roots.js';
import type { UploadLimits } from './uploads.js';
import type { WorkSlotLimits, WorkSlots } from './work-slots.js';

/** Options of `createServer` / `rosetta serve`. */
export interface ServerOptions {
  /** Address to bind (default 127.0.0.1). Anything but loopback requires `token`. */
  host?: string;
  /** Port (default 7878; 0 picks a free one). */
  port?: number;
  /** Bearer token required on every /api route when set. */
  token?: string;
  /** Folders whose files clients may index or use as queries by server path. */
  roots?: string[];
  /** Largest accepted upload or fetched URL, bytes (default 64 MiB). */
  uploadLimitBytes?: number;
  /** Largest accepted image, pixels (default DEFAULT_MAX_PIXELS, 100 MP, as everywhere else). */
  maxPixels?: number;
  /** Let URL ingest and URL queries reach private/loopback addresses (default false). */
  allowPrivateUrls?: boolean;
  /** Deadlines for receiving a request (see ConnectionLimits for the defaults). */
  timeouts?: Partial<ConnectionLimits>;
  /** Connections one client address may hold at once (default 32); more are closed on arrival. */
  maxConnectionsPerClient?: number;
  /** Connections of all clients together (default 1024). */
  maxConnections?: number;
  /** Requests per client per window (default 600 per minute); `false` turns limiting off. */
  rateLimit?: { max: number; windowMs: number } | false;
  /** Where uploads are stored (default `<collection dir>-uploads`, beside the collection: ingest skips the collection folder itself). */
  uploadDir?: string;
  /** Fastify's logger (default off). */
  logger?: boolean;
  /** `redis://…` of distributed ingest runs, shown at GET /api/queue. */
  queue?: string;
  /** OCR requests run at once and waiting (default 1 and 8); more are answered 503 ROSETTA_ERR_SERVER_BUSY with Retry-After. */
  ocrQueue?: Partial<WorkSlotLimits>;
}

/** What every route module receives. */
export interface ServerContext {
  rosetta: Rosetta;
  jobs: JobManager;
  roots: Roots;
  limits: UploadLimits;
  uploadDir: string;
  allowPrivateUrls: boolean;
  /** The bounded line in front of /api/ocr. */
  ocrSlots: WorkSlots;
}

export const DEFAULT_UPLOAD_LIMIT = 64 * 1024 * 1024;
export const DEFAULT_PORT = 7878;
