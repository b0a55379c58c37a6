import type { ErrorCode } from './codes.js';
/**
 * Base class of every error Rosetta throws on purpose. `code` is stable (documented in ERRORS.md),
 * data fields say what was involved, and the message names the file/model and the fix.
 */
export class RosettaError extends Error {
  readonly code: string;
  readonly file?: string;
  readonly model?: string;
  readonly setting?: string;
  readonly hint?: string;

  constructor(
    code: ErrorCode,
    message: string,
    data: { file?: string; model?: string; setting?: string; hint?: string; cause?: unknown } = {},
  ) {
    super(data.hint ? `${message}\n  How to fix: ${data.hint}` : message, { cause: data.cause });
    this.name = 'RosettaError';
    this.code = code;
    this.file = data.file;
    this.model = data.model;
    this.setting = data.setting;
    this.hint = data.hint;
  }

  /** Recognises Rosetta errors across duplicate package copies, where instanceof fails. */
  static is(value: unknown): value is RosettaError {
    return (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as RosettaError).code === 'string' &&
      (value as RosettaError).code.startsWith('ROSETTA_ERR_')
    );
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, file: this.file, model: this.model, setting: this.setting };
  }
}
