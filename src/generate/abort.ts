import { BaseStreamer } from '@huggingface/transformers';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';

/** The error every cancelled generation rejects with. */
export function abortedError(what: string, signal?: AbortSignal): RosettaError {
  const reason = signal?.reason instanceof Error ? `: ${signal.reason.message}` : '';
  return new RosettaError(ErrorCodes.ABORTED, `${what} was cancelled${reason}`, { cause: signal?.reason });
}

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw abortedError(what, signal);
}

/**
 * A Transformers.js streamer that sees every generated token: it stops generation by throwing when the signal
 * fires (generate() has no signal of its own) and reports decoded text so far for streaming.
 */
export class TokenStreamer extends BaseStreamer {
  private tokens: bigint[] = [];
  private first = true;
  constructor(
    private readonly what: string,
    private readonly signal: AbortSignal | undefined,
    private readonly decode?: (tokens: bigint[]) => string,
    private readonly onText?: (text: string) => void,
  ) {
    super();
  }

  put(value: bigint[][]): void {
    throwIfAborted(this.signal, this.what);
    // The first call carries the prompt, not generated tokens.
    if (this.first) {
      this.first = false;
      return;
    }
    if (!this.onText || !this.decode) return;
    this.tokens.push(...(value[0] ?? []));
    this.onText(this.decode(this.tokens));
  }

  /** Each generate() call (one per audio window) ends here; the next put carries a new prompt. */
  end(): void {
    this.first = true;
    throwIfAborted(this.signal, this.what);
  }
}
