import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes, RosettaError, type ErrorCode } from '../rosetta.js';

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
  [ErrorCodes.FFMPEG_MISSING]: 501,
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
  constructor(
    readonly statusCode: number,
    code: ErrorCode,
    message: string,
    data: { setting?: string; hint?: string } = {},
  ) {
    super(code, message, data);
  }
}

export const notFound = (what: string) => new HttpError(404, ErrorCodes.SERVER_NOT_FOUND, `${what} was not found`);

/** Maps anything thrown in a handler to a status and a body with no stack trace. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof HttpError)
    return { status: error.statusCode, body: { error: { code: error.code, message: error.message, setting: error.setting } } };
  if (RosettaError.is(error)) {
    return { status: STATUS[error.code] ?? 500, body: { error: { code: error.code, message: error.message, setting: error.setting } } };
  }
  const fe = error as Partial<FastifyError> & { validation?: unknown };
  if (fe?.validation) {
    return { status: 400, body: { error: { code: ErrorCodes.INVALID_ARGUMENT, message: `Invalid request: ${fe.message}` } } };
  }
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Fastify's own client errors (bad JSON, body too large, unsupported media type, multipart limits).
    const code =
      fe.statusCode === 413 || fe.code === 'FST_REQ_FILE_TOO_LARGE'
        ? ErrorCodes.MEDIA_TOO_LARGE
        : fe.statusCode === 415
          ? ErrorCodes.MEDIA_UNSUPPORTED
          : fe.statusCode === 429
            ? ErrorCodes.SERVER_RATE_LIMIT
            : ErrorCodes.INVALID_ARGUMENT;
    const status = fe.code === 'FST_REQ_FILE_TOO_LARGE' ? 413 : fe.statusCode;
    return { status, body: { error: { code, message: fe.message ?? 'Bad request' } } };
  }
  return { status: 500, body: { error: { code: ErrorCodes.INTERNAL, message: 'Internal server error (see the server log)' } } };
}

/** Fastify error handler: logs server faults, answers with the JSON error shape. */
export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorResponse(error);
  if (status >= 500 && body.error.code !== ErrorCodes.SERVER_BUSY) request.log.error({ err: error }, 'request failed');
  const retryAfter = (error as { retryAfterSeconds?: unknown })?.retryAfterSeconds;
  if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
  void reply.status(status).type('application/json').send(body);
}

/**
 * Fastify's `frameworkErrors`: what the router refuses before any route runs (a path part longer than the
 * router takes: 414; a path that is not valid percent-encoding: 400), in the same error shape as every answer.
 */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  let status = 400;
  let body: ErrorBody = { error: { code: ErrorCodes.INVALID_ARGUMENT, message: 'The URL path is not valid percent-encoding' } };
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    status = 414;
    body = {
      error: {
        code: ErrorCodes.SERVER_URL_TOO_LONG,
        message:
          'A part of the URL path is longer than the server accepts (100 characters): item hashes and job ids are shorter; check the URL',
      },
    };
  } else if (error.code !== 'FST_ERR_BAD_URL') {
    ({ status, body } = toErrorResponse(error));
  }
  void reply.status(status).type('application/json').send(body);
}

/**
 * The HTTP server's `clientError` handler: what Node's parser refuses before Fastify sees a request (headers
 * over Node's limit: 431; the request-line/header deadline: 408; anything unparsable: 400), answered in the
 * one error shape, then the connection is closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let body: ErrorBody = { error: { code: ErrorCodes.INVALID_ARGUMENT, message: 'The request is not valid HTTP/1.1' } };
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    body = {
      error: {
        code: ErrorCodes.SERVER_HEADERS_TOO_LARGE,
        message: `The request headers are larger than the server accepts (${Math.round(maxHeaderSize / 1024)} KiB in all): send fewer or shorter headers`,
      },
    };
  } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    body = {
      error: {
        code: ErrorCodes.SERVER_REQUEST_TIMEOUT,
        message: "The request did not arrive in time (the server's header or whole-request deadline): send it at once",
      },
    };
  }
  if (socket.writable) {
    const text = JSON.stringify(body);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy();
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
