import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { explainFfmpegFailure } from './media-errors.js';
import { spawnTied } from '../../util/spawn-tied.js';

/** How a media child process is bounded. */
export interface MediaProcessOptions {
  /** The media file the process works on; every error names it. */
  file: string;
  /**
   * Hang guard: the child is killed when it has produced no output for this long while Rosetta waits for some
   * (time spent by the consumer between reads does not count). Default 30 000 ms.
   */
  stallTimeoutMs?: number;
  /** Hard limit on the whole run, in ms. Default: none (a long file may take long; the stall guard catches hangs). */
  timeoutMs?: number;
  /** Aborting kills the child and fails with ABORTED. */
  signal?: AbortSignal;
  /** Called with each stderr line (without the newline); return true to keep it out of the error tail. */
  onStderrLine?: (line: string) => boolean | void;
}

const live = new Set<number>();

/** Process ids of media children that have not yet been reaped (diagnostics and tests: it should drain to empty). */
export function liveMediaProcesses(): number[] {
  return [...live];
}

/**
 * One ffmpeg/ffprobe child whose stdout is read as chunks. The child is always killed and reaped: on timeout,
 * on abort, when the consumer stops iterating early, and on error. `chunks()` throws a RosettaError naming the file.
 */
export class MediaProcess {
  private readonly child: ChildProcessByStdio<Writable | null, Readable, Readable>;
  private readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly tail: string[] = [];
  private failure: RosettaError | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private totalTimer: NodeJS.Timeout | undefined;
  private exited = false;
  private partial = '';
  private readonly onAbort = () =>
    this.fail(
      new RosettaError(ErrorCodes.ABORTED, `Stopped reading ${this.options.file}: the operation was aborted`, { file: this.options.file }),
    );

  constructor(
    readonly command: string,
    readonly args: string[],
    readonly options: MediaProcessOptions,
  ) {
    if (options.signal?.aborted)
      throw new RosettaError(ErrorCodes.ABORTED, `Did not start reading ${options.file}: the operation was aborted`, {
        file: options.file,
      });
    this.child = spawnTied(command, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true }) as ChildProcessByStdio<
      Writable | null,
      Readable,
      Readable
    >;
    const pid = this.child.pid;
    if (pid !== undefined) live.add(pid);
    this.closed = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.fail(
          new RosettaError(ErrorCodes.FFMPEG_MISSING, `Could not start ${command} for ${options.file}: ${error.message}`, {
            file: options.file,
            cause: error,
            hint: 'install ffmpeg (apt-get install ffmpeg / brew install ffmpeg) or set ROSETTA_FFMPEG',
          }),
        );
        if (pid === undefined) resolve({ code: null, signal: null });
      });
      this.child.once('close', (code, signal) => {
        this.exited = true;
        if (pid !== undefined) live.delete(pid);
        this.clearTimers();
        options.signal?.removeEventListener('abort', this.onAbort);
        resolve({ code, signal });
      });
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text: string) => this.onStderr(text));
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (options.timeoutMs) {
      this.totalTimer = setTimeout(() => this.fail(this.timeoutError(options.timeoutMs!, 'in total')), options.timeoutMs);
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Yields stdout chunks; ends when the child exits, throwing if it failed. Breaking out early kills the child. */
  async *chunks(): AsyncGenerator<Buffer> {
    const iterator = this.child.stdout[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    try {
      for (;;) {
        this.armStall();
        const next = await iterator.next();
        this.disarmStall();
        if (this.failure) throw this.failure;
        if (next.done) break;
        yield next.value;
      }
      const { code, signal } = await this.closed;
      if (this.failure) throw this.failure;
      if (code !== 0) throw explainFfmpegFailure(this.options.file, this.stderrTail(), code, signal);
    } finally {
      await this.stop();
    }
  }

  /** Reads stdout to the end into one Buffer (for small outputs such as ffprobe's JSON). */
  async readAll(maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.chunks()) {
      size += chunk.length;
      if (size > maxBytes)
        throw new RosettaError(ErrorCodes.MEDIA_TOO_LARGE, `${this.command} wrote more than ${maxBytes} bytes for ${this.options.file}`, {
          file: this.options.file,
        });
      parts.push(chunk);
    }
    return Buffer.concat(parts);
  }

  /** The last stderr lines (those not consumed by onStderrLine), for error messages. */
  stderrTail(): string {
    return [...this.tail, this.partial].filter(Boolean).join('\n');
  }

  /** Kills the child (if still running) and waits until it is reaped. Safe to call twice. */
  async stop(): Promise<void> {
    this.clearTimers();
    if (!this.exited) this.child.kill('SIGKILL');
    this.child.stdout.destroy();
    await this.closed;
  }

  private fail(error: RosettaError): void {
    this.failure ??= error;
    if (!this.exited) this.child.kill('SIGKILL');
  }

  private timeoutError(ms: number, how: string): RosettaError {
    return new RosettaError(
      ErrorCodes.MEDIA_TIMEOUT,
      `${this.command.split(/[\\/]/).pop()} gave up on ${this.options.file}: no result after ${Math.round(ms / 100) / 10} s ${how}`,
      {
        file: this.options.file,
        hint: 'the file may be a pipe/FIFO, on a stalled network mount, or crafted to hang ffmpeg; check it plays, or raise the time limit',
      },
    );
  }

  private armStall(): void {
    const ms = this.options.stallTimeoutMs ?? 30_000;
    if (ms <= 0 || this.exited) return;
    this.disarmStall();
    this.stallTimer = setTimeout(() => this.fail(this.timeoutError(ms, 'without output')), ms);
  }

  private disarmStall(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private clearTimers(): void {
    this.disarmStall();
    if (this.totalTimer) clearTimeout(this.totalTimer);
    this.totalTimer = undefined;
  }

  private onStderr(text: string): void {
    // Progress on stderr is output too: a slow but working decode is not a hang.
    if (this.stallTimer) this.armStall();
    const lines = (this.partial + text).split(/\r?\n|\r/);
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line || this.options.onStderrLine?.(line)) continue;
      this.tail.push(line);
      if (this.tail.length > 30) this.tail.shift();
    }
  }
}

/** Runs a media program to the end and returns its stdout; errors name the file. */
export async function runMediaProgram(command: string, args: string[], options: MediaProcessOptions): Promise<Buffer> {
  return new MediaProcess(command, args, options).readAll();
}
