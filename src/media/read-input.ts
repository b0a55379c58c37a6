import { readFile, stat } from 'node:fs/promises';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import type { MediaInput } from '../types.js';

export interface InputBytes {
  bytes: Buffer;
  /** A name for messages: the path, the URL, or `<buffer>`. */
  name: string;
  path?: string;
}

/** Default cap on bytes read for one input (files larger than this are refused, not truncated). */
export const DEFAULT_MAX_INPUT_BYTES = 512 * 1024 * 1024;

/**
 * Reads a path, a Buffer or an http(s) URL into memory, with clear errors naming the source.
 * URLs are fetched with a byte cap; the server layer adds SSRF checks before calling this.
 */
export async function readInput(input: MediaInput, maxBytes = DEFAULT_MAX_INPUT_BYTES): Promise<InputBytes> {
  if (input instanceof Uint8Array) {
    return { bytes: Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength), name: '<buffer>' };
  }
  const asUrl = input instanceof URL ? input : /^https?:\/\//i.test(input) ? new URL(input) : undefined;
  if (asUrl) return readUrl(asUrl, maxBytes);
  const path = input as string;
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new Error('not a regular file');
    size = s.size;
  } catch (cause) {
    throw new RosettaError(ErrorCodes.MEDIA_UNREADABLE, `Cannot read ${path}: ${(cause as Error).message}`, {
      file: path,
      cause,
      hint: 'check the path exists and is readable by this user',
    });
  }
  if (size > maxBytes) {
    throw new RosettaError(ErrorCodes.MEDIA_TOO_LARGE, `${path} is ${size} bytes, above the ${maxBytes}-byte limit`, {
      file: path,
      hint: 'raise maxInputBytes, or index it as audio/video which streams',
    });
  }
  try {
    return { bytes: await readFile(path), name: path, path };
  } catch (cause) {
    throw new RosettaError(ErrorCodes.MEDIA_UNREADABLE, `Cannot read ${path}: ${(cause as Error).message}`, {
      file: path,
      cause,
      hint: 'check file permissions',
    });
  }
}

async function readUrl(url: URL, maxBytes: number): Promise<InputBytes> {
  const name = url.toString();
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(60_000) });
  } catch (cause) {
    throw new RosettaError(ErrorCodes.MEDIA_UNREADABLE, `Cannot fetch ${name}: ${(cause as Error).message}`, {
      file: name,
      cause,
      hint: 'check the URL and the network',
    });
  }
  if (!res.ok || !res.body) {
    throw new RosettaError(ErrorCodes.MEDIA_UNREADABLE, `Cannot fetch ${name}: HTTP ${res.status}`, { file: name, hint: 'check the URL' });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes)
      throw new RosettaError(ErrorCodes.MEDIA_TOO_LARGE, `${name} is larger than the ${maxBytes}-byte limit`, { file: name });
    chunks.push(Buffer.from(chunk));
  }
  return { bytes: Buffer.concat(chunks), name };
}
