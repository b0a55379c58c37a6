import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { ErrorCodes, invalidArgument, RosettaError, type Modality } from '../rosetta.js';
import { checkContent, readUploadedQuery } from './uploads.js';
import type { ServerContext } from './server-context.js';

/**
 * A media reference in a JSON body: an http(s) URL (fetched with SSRF checks, then checked by content) or
 * a path on the server (confined to the roots). Returns what the library takes: bytes or a real path.
 */
export async function resolveMediaRef(ctx: ServerContext, value: string, allowed: readonly Modality[]): Promise<Buffer | string> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    const bytes = await ctx.rosetta.fetchUrl(value, { maxBytes: ctx.limits.uploadLimitBytes, allowPrivate: ctx.allowPrivateUrls });
    await checkContent(ctx, bytes, value, allowed, bytes);
    return bytes;
  }
  return ctx.roots.confine(value);
}

/** Fields and query files of a multipart request, with files read into memory (they are queries, not ingest). */
export interface MultipartQuery {
  fields: Record<string, string[]>;
  files: Record<string, Buffer>;
}

export async function readMultipartQuery(
  ctx: ServerContext,
  request: FastifyRequest,
  fileKinds: Record<string, readonly Modality[]>,
): Promise<MultipartQuery> {
  const fields: Record<string, string[]> = {};
  const files: Record<string, Buffer> = {};
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const allowed = fileKinds[part.fieldname];
      if (!allowed) {
        await (part as MultipartFile).toBuffer().catch(() => undefined);
        throw invalidArgument('file field', `one of: ${Object.keys(fileKinds).join(', ')}`, part.fieldname);
      }
      files[part.fieldname] = (await readUploadedQuery(ctx, part as MultipartFile, allowed)).bytes;
    } else {
      (fields[part.fieldname] ??= []).push(String(part.value));
    }
  }
  return { fields, files };
}

/** A multipart field that may be JSON (`{"text":0.3}`) or plain text. */
export function jsonField<T>(name: string, raw: string | undefined): T | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw invalidArgument(name, 'JSON', raw);
  }
}

export function numberField(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw invalidArgument(name, 'a number', raw);
  return n;
}

/** `in=image,video` or repeated `in` fields. */
export function listField(raw: string[] | undefined): string[] | undefined {
  if (!raw) return undefined;
  const list = raw
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return list.length ? list : undefined;
}

/**
 * Checks a body assembled from multipart fields against the route's own JSON schema, so a multipart request
 * gets exactly the checks (ranges, enums, shapes) of the JSON form. Fields left undefined are dropped first.
 */
export function validateAssembledBody<T extends object>(request: FastifyRequest, body: T): T {
  const clean = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as T;
  const validate = request.getValidationFunction('body');
  if (validate && !validate(clean)) {
    const detail = (validate.errors ?? []).map((e) => `body${e.instancePath} ${e.message ?? 'is invalid'}`).join(', ');
    throw new RosettaError(ErrorCodes.INVALID_ARGUMENT, `Invalid request: ${detail}`);
  }
  return clean;
}

/**
 * The media of a tool request: multipart files of the given field names, or references in a JSON body (an
 * http(s) URL or a path under a root), each checked to be of the modalities allowed for its field.
 */
export async function mediaOf<K extends string>(
  ctx: ServerContext,
  request: FastifyRequest,
  kinds: Record<K, readonly Modality[]>,
): Promise<{ fields: Record<string, unknown> } & Partial<Record<K, Buffer | string>>> {
  if (request.isMultipart()) {
    const { fields, files } = await readMultipartQuery(ctx, request, kinds);
    const flat: Record<string, unknown> = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.length > 1 ? v : v[0]]));
    return { fields: flat, ...files } as { fields: Record<string, unknown> } & Partial<Record<K, Buffer>>;
  }
  const body = (request.body ?? {}) as Record<string, unknown>;
  const refs: Partial<Record<K, Buffer | string>> = {};
  for (const [name, allowed] of Object.entries(kinds) as [K, readonly Modality[]][]) {
    if (typeof body[name] === 'string') refs[name] = await resolveMediaRef(ctx, body[name] as string, allowed);
  }
  return { fields: body, ...refs };
}

/** Runs long work with a signal that fires when the client goes away, so decoding stops with it. */
export async function whileConnected<T>(request: FastifyRequest, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onClose = () => {
    if (!request.raw.complete || !request.raw.socket?.writable) controller.abort();
  };
  request.raw.socket?.once('close', onClose);
  // A client that left before the work began (while its body was read or its reference resolved) gets none.
  if (!request.raw.socket || request.raw.socket.destroyed) controller.abort();
  try {
    return await work(controller.signal);
  } finally {
    request.raw.socket?.off('close', onClose);
  }
}
