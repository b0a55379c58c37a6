import { showPathIn } from '../util/show-path.js';

/** What an index run has settled so far, file by file (or sample by sample). */
export interface IndexCounts {
  added: number;
  updated: number;
  skipped: number;
  failed: number;
}

/** What `index` reports while it works; `rate` is files per second, `etaSeconds` from the rate so far. */
export interface IndexProgress extends IndexCounts {
  phase: 'scan' | 'index' | 'prune' | 'optimize';
  done: number;
  total: number;
  current?: string;
  rate: number;
  etaSeconds?: number;
  /** Seconds of audio/video processed in the current file, for long media. */
  mediaSeconds?: number;
  mediaDuration?: number;
}

export interface IndexFailure {
  path: string;
  code: string;
  reason: string;
}

export interface IndexSummary extends IndexCounts {
  pruned: number;
  failures: IndexFailure[];
  seconds: number;
  filesPerSecond: number;
}

export class ProgressCounter {
  added = 0;
  updated = 0;
  skipped = 0;
  failed = 0;
  pruned = 0;
  readonly failures: IndexFailure[] = [];
  private readonly start = performance.now();

  constructor(
    public total: number,
    private readonly emit?: (p: IndexProgress) => void,
  ) {}

  get done(): number {
    return this.added + this.updated + this.skipped + this.failed;
  }
  get seconds(): number {
    return (performance.now() - this.start) / 1000;
  }

  fail(path: string, error: unknown): void {
    const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'ROSETTA_ERR_INTERNAL';
    // The first line of the message, with the file's name quoted if a newline in it would cut that line short.
    const reason = showPathIn(error instanceof Error ? error.message : String(error), path).split('\n')[0];
    this.failures.push({ path, code, reason });
    this.failed += 1;
  }

  report(phase: IndexProgress['phase'], extra: Partial<IndexProgress> = {}): void {
    if (!this.emit) return;
    const rate = this.done / Math.max(this.seconds, 1e-3);
    this.emit({
      phase,
      done: this.done,
      total: this.total,
      added: this.added,
      updated: this.updated,
      skipped: this.skipped,
      failed: this.failed,
      rate,
      etaSeconds: rate > 0 ? (this.total - this.done) / rate : undefined,
      ...extra,
    });
  }

  summary(): IndexSummary {
    return {
      added: this.added,
      updated: this.updated,
      skipped: this.skipped,
      failed: this.failed,
      pruned: this.pruned,
      failures: this.failures,
      seconds: this.seconds,
      filesPerSecond: this.done / Math.max(this.seconds, 1e-3),
    };
  }
}
