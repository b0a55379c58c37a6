/** HTTP requests with the path sent byte for byte (fetch and URL normalise `..`, case and some escapes). */
import { request } from 'node:http';

export interface RawResponse { status: number; body: Buffer; headers: Record<string, string | string[] | undefined> }

export function rawRequest(base: string, method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers: { connection: 'close', ...options.headers }, insecureHTTPParser: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
