import { ErrorCodes, RosettaError } from '../rosetta.js';
import { HttpError } from './http-errors.js';

/** How many heavy requests of one kind run at once, and how many may wait for a turn. */
export interface WorkSlotLimits {
  /** Requests worked on at the same time (default 1: one OCR already uses every core). */
  running: number;
  /** Requests waiting for a turn; one more is answered 503 ROSETTA_ERR_SERVER_BUSY with Retry-After (default 8). */
  waiting: number;
}

export const DEFAULT_OCR_SLOTS: WorkSlotLimits = { running: 1, waiting: 8 };

/** A 503 that says when to come back. */
export class BusyError extends HttpError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    setting: string,
  ) {
    super(503, ErrorCodes.SERVER_BUSY, message, { setting, hint: `retry after ${retryAfterSeconds} s` });
  }
}

interface Waiter {
  start: () => void;
  fail: (error: unknown) => void;
}

/**
 * A bounded queue in front of costly work (OCR of a large picture): at most `running` at once, at most
 * `waiting` in line, the rest refused at once with a coded 503 and a Retry-After from the recent mean time
 * of one piece of work. A waiter whose signal fires (its client left) leaves the line without running.
 */
export class WorkSlots {
  private active = 0;
  private readonly line: Waiter[] = [];
  private meanMs = 2_000;
  /** Pieces of work that ran to their end (an observable for tests and operators). */
  completed = 0;

  constructor(
    private readonly limits: WorkSlotLimits,
    private readonly what: string,
    private readonly setting: string,
  ) {}

  get running(): number {
    return this.active;
  }
  get waiting(): number {
    return this.line.length;
  }

  async run<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limits.running) await this.waitTurn(signal);
    else this.active += 1;
    const started = performance.now();
    try {
      const result = await work();
      this.completed += 1;
      this.meanMs = 0.7 * this.meanMs + 0.3 * (performance.now() - started);
      return result;
    } finally {
      this.release();
    }
  }

  private waitTurn(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(aborted(this.what));
    if (this.line.length >= this.limits.waiting) {
      const retry = Math.max(1, Math.ceil((this.meanMs * (this.line.length + this.active)) / this.limits.running / 1000));
      return Promise.reject(
        new BusyError(
          `The server is busy with ${this.active} ${this.what} requests and ${this.line.length} waiting (the most it queues); retry in ${retry} s`,
          retry,
          this.setting,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          signal.removeEventListener('abort', onAbort);
          this.active += 1;
          resolve();
        },
        fail: reject,
      };
      const onAbort = () => {
        const at = this.line.indexOf(waiter);
        if (at >= 0) this.line.splice(at, 1);
        reject(aborted(this.what));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.line.push(waiter);
    });
  }

  private release(): void {
    this.active -= 1;
    this.line.shift()?.start();
  }
}

const aborted = (what: string) => new RosettaError(ErrorCodes.ABORTED, `The ${what} request was cancelled: its client went away`);
