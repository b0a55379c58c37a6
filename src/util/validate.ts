import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';

/** One helper for every complaint about an option: parameter, what was expected, what was received. */
export function invalidArgument(parameter: string, expected: string, received: unknown): RosettaError {
  let shown: string;
  try {
    shown = typeof received === 'string' ? `'${received}'` : (JSON.stringify(received) ?? String(received));
  } catch {
    shown = String(received);
  }
  return new RosettaError(ErrorCodes.INVALID_ARGUMENT, `Expected ${expected} for ${parameter} but received ${shown}`, {
    setting: parameter,
  });
}

export function expectOneOf<T extends string>(parameter: string, value: unknown, choices: readonly T[]): T {
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw invalidArgument(parameter, `one of: ${choices.join(', ')}`, value);
}

export function expectPositiveInt(parameter: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= max) return value;
  throw invalidArgument(parameter, `an integer between 1 and ${max}`, value);
}

export function expectNumberIn(parameter: string, value: unknown, min: number, max: number): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
  throw invalidArgument(parameter, `a number between ${min} and ${max}`, value);
}
