import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';

/** The one shape of every error body the server sends. */
export interface ErrorBody {
  error: { code: string; message: string; setting?: string };
}

/** HTTP status for each Rosetta error code; anything unlisted is a 500. */
const STATUS: Record<string, number> = {
  [ErrorCodes.INVALID_ARGUMENT]: 400,
  [ErrorCodes.QUERY_INVALID]: 400,
  [ErrorCodes.SPACE_UNKNOWN]: 400,
  [ErrorCodes.SPACE_MODALITY]: 400,
  [ErrorCodes.DATASET_INVALID]: 400,
  [ErrorCodes.MEDIA_EMPTY]: 422,
  [ErrorCodes.MEDIA_CORRUPT]: 422,
  [ErrorCodes.MEDIA_UNREADABLE]: 422,
  [ErrorCodes.MEDIA_NO_STREAM]: 422,
  [ErrorCodes.MEDIA_UNSUPPORTED]: 415,
  [ErrorCodes.MEDIA_TOO_LARGE]: 413,
  [ErrorCodes.MEDIA_TIMEOUT]: 504,
  [ErrorCodes.ENGINE_MISSING]: 501,
  [ErrorCodes.MODEL_OFFLINE_MISSING]: 503,
  [ErrorCodes.MODEL_NOT_FOUND]: 503,
  [ErrorCodes.ABORTED]: 499,
  [ErrorCodes.SERVER_AUTH]: 401,
  [ErrorCodes.SERVER_FORBIDDEN_PATH]: 403,
  [ErrorCodes.SERVER_FORBIDDEN_URL]: 403,
  [ErrorCodes.SERVER_RATE_LIMIT]: 429,
  [ErrorCodes.SERVER_BUSY]: 503,
  [ErrorCodes.SERVER_NOT_FOUND]: 404,
  [ErrorCodes.UNSUPPORTED]: 501,
};

/** A RosettaError carrying an explicit HTTP status (for cases a code alone does not settle). */
export class HttpError extends RosettaError {
  constructor(readonly statusCode: number, code: string, message: string, data: { setting?: string; hint?: string } = {}) {
    super(code, message, data);
  }
}

export const notFound = (what: string) => new HttpError(404, ErrorCodes.SERVER_NOT_FOUND, `${what} was not found`);

/** Maps anything thrown in a handler to a status and a body with no stack trace. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof HttpError) return { status: error.statusCode, body: { error: { code: error.code, message: error.message, setting: error.setting } } };
  if (RosettaError.is(error)) {
    return { status: STATUS[error.code] ?? 500, body: { error: { code: error.code, message: error.message, setting: error.setting } } };
  }
  const fe = error as Partial<FastifyError> & { validation?: unknown };
  if (fe?.validation) {
    return { status: 400, body: { error: { code: ErrorCodes.INVALID_ARGUMENT, message: `Invalid request: ${fe.message}` } } };
  }
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Fastify's own client errors (bad JSON, body too large, unsupported media type, multipart limits).
    const code = fe.statusCode === 413 || fe.code === 'FST_REQ_FILE_TOO_LARGE' ? ErrorCodes.MEDIA_TOO_LARGE
      : fe.statusCode === 415 ? ErrorCodes.MEDIA_UNSUPPORTED
        : fe.statusCode === 429 ? ErrorCodes.SERVER_RATE_LIMIT : ErrorCodes.INVALID_ARGUMENT;
    const status = fe.code === 'FST_REQ_FILE_TOO_LARGE' ? 413 : fe.statusCode;
    return { status, body: { error: { code, message: fe.message ?? 'Bad request' } } };
  }
  return { status: 500, body: { error: { code: 'ROSETTA_ERR_INTERNAL', message: 'Internal server error (see the server log)' } } };
}

/** Fastify error handler: logs server faults, answers with the JSON error shape. */
export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorResponse(error);
  if (status >= 500 && body.error.code !== ErrorCodes.SERVER_BUSY) request.log.error({ err: error }, 'request failed');
  const retryAfter = (error as { retryAfterSeconds?: unknown })?.retryAfterSeconds;
  if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
  void reply.status(status).type('application/json').send(body);
}

/** JSON schema of the error body, for the OpenAPI document. */
export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, setting: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;
