import { QueueName } from './queue-names';

/** Never set at run time: the key of the phantom that carries what a job's handler takes and answers. */
declare const handlerType: unique symbol;

const registry = new Map<string, JobDefinition<never, unknown>>();

/**
 * One kind of job: its name (stored in the jobs table and in BullMQ, so it never changes) and its
 * queue. `TInput` is what its handler receives (the BullMQ job, or what the queue's wrapper makes of
 * it) and `TResult` what the handler answers; @OnJob checks a handler against both at compile time.
 * Made with `defineJob` (or `defineAction`), beside the feature that owns the job.
 */
export class JobDefinition<TInput, TResult = unknown> {
  declare readonly [handlerType]: (input: TInput) => TResult;

  /** Registers the definition; a second definition of the same name is a programming error. */
  constructor(
    readonly name: string,
    readonly queue: QueueName,
  ) {
    if (registry.has(name)) throw new Error(`job "${name}" is defined twice`);
    registry.set(name, this);
  }
}

/** Any job definition, whatever its handler takes. */
export type AnyJobDefinition = JobDefinition<never, unknown>;

export function defineJob<TInput, TResult = unknown>(name: string, queue: QueueName): JobDefinition<TInput, TResult> {
  return new JobDefinition<TInput, TResult>(name, queue);
}

/** Every job defined so far (each feature's `*-jobs.ts` defines its own when it is loaded). */
export function definedJobs(): AnyJobDefinition[] {
  return [...registry.values()];
}

/** The definition of a stored job name (an outbox row, a job row), if this build still has it. */
export function jobDefinition(name: string | null): AnyJobDefinition | undefined {
  return name === null ? undefined : registry.get(name);
}

/** Data of a maintenance job that carries none. */
export type NoJobData = Record<string, never>;
