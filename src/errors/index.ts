export { RosettaError } from './rosetta-error.js';
export { ErrorCodes, type ErrorCode } from './codes.js';
