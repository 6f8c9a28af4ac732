import { Injectable } from '@nestjs/common';

/** An action job that reached its outcome in this process. */
export interface JobEnded {
  /** The job's action name (its type), as stored on the job row. */
  type: string;
  outcome: 'finished' | 'failed' | 'aborted';
  /** From the moment this worker started running it (lock held) to its outcome. */
  durationSeconds: number;
}

export type JobEndListener = (ended: JobEnded) => void;

/**
 * Where the action executor tells that a job ended, for features that count jobs (the metrics)
 * without this folder knowing them: they register a listener.
 */
@Injectable()
export class JobEndHooks {
  private readonly listeners = new Set<JobEndListener>();

  register(listener: JobEndListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  ended(job: JobEnded): void {
    for (const listener of this.listeners) {
      try {
        listener(job);
      } catch {
        // A listener's failure must not change the job's outcome.
      }
    }
  }
}
