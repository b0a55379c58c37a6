import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { toErrorResponse } from './http-errors.js';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'aborted';

/** A long task (an ingest) as clients see it: poll it, or stream its events. */
export interface JobView<P = unknown, R = unknown> {
  id: string;
  kind: string;
  status: JobStatus;
  progress?: P;
  result?: R;
  error?: { code: string; message: string };
  createdAt: string;
  finishedAt?: string;
}

/** What a job's body gets: a progress reporter and the signal that asks it to stop. */
export interface JobContext<P> {
  signal: AbortSignal;
  report: (progress: P) => void;
}

interface Job extends JobView {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Runs jobs one after another (ingest writes are serialised; searches are not jobs and run beside them),
 * keeps the last `keep` finished ones for polling, and lets shutdown abort the running job and wait for it.
 */
export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly events = new EventEmitter();
  private chain: Promise<void> = Promise.resolve();
  private closing = false;

  constructor(private readonly keep = 100) {
    this.events.setMaxListeners(0);
  }

  start<P, R>(kind: string, body: (ctx: JobContext<P>) => Promise<R>, onSettled?: () => Promise<void>): JobView<P, R> {
    const controller = new AbortController();
    const job = { id: randomUUID(), kind, status: 'queued', createdAt: new Date().toISOString(), controller } as Job;
    if (this.closing) controller.abort();
    const run = async () => {
      if (controller.signal.aborted) {
        this.finish(job, 'aborted');
        return;
      }
      job.status = 'running';
      this.emit(job);
      try {
        job.result = await body({
          signal: controller.signal,
          report: (p) => {
            job.progress = p;
            this.emit(job);
          },
        });
        this.finish(job, controller.signal.aborted ? 'aborted' : 'done');
      } catch (error) {
        job.error = toErrorResponse(error).body.error;
        this.finish(job, controller.signal.aborted ? 'aborted' : 'failed');
      } finally {
        await onSettled?.().catch(() => undefined);
      }
    };
    job.done = this.chain.then(run);
    this.chain = job.done;
    this.jobs.set(job.id, job);
    this.trim();
    this.emit(job);
    return view(job) as JobView<P, R>;
  }

  get(id: string): JobView | undefined {
    const job = this.jobs.get(id);
    return job ? view(job) : undefined;
  }

  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job || isFinished(job.status)) return false;
    job.controller.abort();
    return true;
  }

  /** Calls `listener` with every change of the job until it finishes; returns the unsubscribe function. */
  subscribe(id: string, listener: (job: JobView) => void): () => void {
    const handler = (job: JobView) => {
      if (job.id === id) listener(job);
    };
    this.events.on('job', handler);
    return () => this.events.off('job', handler);
  }

  get running(): JobView | undefined {
    for (const job of this.jobs.values()) if (job.status === 'running') return view(job);
    return undefined;
  }

  /**
   * Stops taking work, aborts what is queued or running (ingest commits items whole, so nothing is lost)
   * and waits for the running job to reach its checkpoint.
   */
  async shutdown(): Promise<void> {
    this.closing = true;
    for (const job of this.jobs.values()) if (!isFinished(job.status)) job.controller.abort();
    await this.chain.catch(() => undefined);
  }

  private finish(job: Job, status: JobStatus): void {
    job.status = status;
    job.finishedAt = new Date().toISOString();
    this.emit(job);
  }

  private emit(job: Job): void {
    this.events.emit('job', view(job));
  }

  private trim(): void {
    if (this.jobs.size <= this.keep) return;
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= this.keep) break;
      if (isFinished(job.status)) this.jobs.delete(id);
    }
  }
}

export const isFinished = (s: JobStatus) => s === 'done' || s === 'failed' || s === 'aborted';

function view(job: Job): JobView {
  const { controller: _c, done: _d, ...rest } = job;
  return { ...rest };
}
