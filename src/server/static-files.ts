import { readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** The shipped `web/` folder: two levels above this file both in `src/server` and in `dist/server`. */
export const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');

/**
 * Serves the web UI. The files are listed once at start and served from that list, so no request path
 * ever reaches the file system.
 */
export function registerStaticFiles(app: FastifyInstance, dir = WEB_DIR): void {
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => TYPES[extname(n)]);
  } catch {
    /* no UI shipped: the API still works */
  }
  const csp =
    "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self'; " +
    "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
  for (const name of names) {
    const body = readFileSync(join(dir, name));
    const route = name === 'index.html' ? '/' : `/${name}`;
    app.get(route, { schema: { hide: true }, config: { public: true } }, async (_request, reply) =>
      reply
        .header('content-type', TYPES[extname(name)])
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', csp)
        .send(body),
    );
  }
}
