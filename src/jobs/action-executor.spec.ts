import type { Job } from 'bullmq';
import type { AppConfig } from '../config/config';
import { EventCode } from '../events/event-codes';
import type { EventsService } from '../events/events.service';
import { ActionContext, ActionExecutor, ActionHandler } from './action-executor';
import { ActionAbortedError, ActionFailedError } from './action-failure';
import type { ActionJobData } from './action-runner';
import type { JobEntity } from './job.entity';
import type { JobsRepository } from './jobs.repository';
import type { TargetLock } from './target-lock';

/**
 * How the executor ends a job that did not complete: failed or aborted, its steps likewise, and at
 * most one event (none when the handler already wrote it). In-memory stand-ins for the repository,
 * the lock and the events; the real ones are covered by test/jobs and test/api.
 */
const IN_TRANSACTION = { manager: 'the transaction' };

describe('ActionExecutor outcomes', () => {
  let calls: { fail: unknown[][]; endStep: unknown[][]; events: Record<string, unknown>[] };
  let executor: ActionExecutor;

  const job = {
    id: 'job-1',
    description: 'Doing it',
    runState: 'queued',
    params: {},
    targetType: 'thing',
    targetId: 't-1',
    correlationId: null,
    ownerId: null,
  } as unknown as JobEntity;
  const data: ActionJobData = {
    jobId: job.id,
    events: { success: EventCode.ClusterRefreshed, failure: EventCode.ClusterRefreshFailed },
    eventRefs: {},
  };
  const bullJob = { data, attemptsMade: 0, opts: { attempts: 1 } } as unknown as Job<ActionJobData>;

  beforeEach(() => {
    calls = { fail: [], endStep: [], events: [] };
    let steps = 0;
    const jobs = {
      findById: () => Promise.resolve(job),
      markRunning: () => Promise.resolve(true),
      transaction: (work: (m: unknown) => Promise<unknown>) => work(IN_TRANSACTION),
      finish: () => Promise.resolve(),
      // The job's end is written in the transaction its event is written in.
      fail: (id: string, error: unknown, status: string, manager: unknown) =>
        Promise.resolve(void calls.fail.push(manager === IN_TRANSACTION ? [id, error, status] : ['outside', id])),
      startStep: () => Promise.resolve({ id: `step-${++steps}` }),
      endStep: (...args: unknown[]) => Promise.resolve(void calls.endStep.push(args)),
      stepProgress: () => Promise.resolve(),
      stepHost: () => Promise.resolve(),
    } as unknown as JobsRepository;
    const locks = { tryAcquire: () => Promise.resolve({ release: () => Promise.resolve() }) } as unknown as TargetLock;
    const events = {
      record: (e: Record<string, unknown>, manager: unknown) =>
        Promise.resolve(void calls.events.push(manager === IN_TRANSACTION ? e : { outside: e })),
    } as unknown as EventsService;
    executor = new ActionExecutor(jobs, locks, events, {} as AppConfig);
  });

  const throwingInStep =
    (error: Error): ActionHandler =>
    (ctx: ActionContext) =>
      ctx.step('Waiting', () => Promise.reject(error));

  it('a failure ends the job and its step failed, with one error event of the action failure code', async () => {
    await executor.run(
      bullJob,
      throwingInStep(new ActionFailedError(409, 'Operation Failed', 'gluster said no')),
      undefined,
    );
    expect(calls.endStep).toEqual([['step-1', 'failed']]);
    expect(calls.fail).toEqual([
      ['job-1', { status: 409, reason: 'Operation Failed', detail: 'gluster said no' }, 'failed'],
    ]);
    expect(calls.events).toEqual([
      expect.objectContaining({
        code: EventCode.ClusterRefreshFailed,
        severity: 'error',
        description: 'Doing it: failed: gluster said no',
      }),
    ]);
  });

  it('an abort ends the job and the step it was in aborted, with a warning event of its own code', async () => {
    await executor.run(
      bullJob,
      throwingInStep(new ActionAbortedError('The run was cancelled.', EventCode.DrRunAborted)),
      undefined,
    );
    expect(calls.endStep).toEqual([['step-1', 'aborted']]);
    expect(calls.fail).toEqual([
      ['job-1', { status: 409, reason: 'Operation Aborted', detail: 'The run was cancelled.' }, 'aborted'],
    ]);
    expect(calls.events).toEqual([
      expect.objectContaining({
        code: EventCode.DrRunAborted,
        severity: 'warning',
        description: 'Doing it: aborted: The run was cancelled.',
      }),
    ]);
  });

  it('writes no event when the handler already recorded the one that reports the failure', async () => {
    const handler: ActionHandler = () =>
      Promise.reject(
        new ActionFailedError(504, 'Operation Failed', 'timed out', EventCode.StorageDomainSyncFailed, {
          eventRecorded: true,
        }),
      );
    await executor.run(bullJob, handler, undefined);
    expect(calls.fail).toEqual([['job-1', { status: 504, reason: 'Operation Failed', detail: 'timed out' }, 'failed']]);
    expect(calls.events).toEqual([]);
  });

  it('a failure may carry its own severity', async () => {
    const handler: ActionHandler = () =>
      Promise.reject(new ActionFailedError(409, 'Operation Failed', 'no', undefined, { severity: 'alert' }));
    await executor.run(bullJob, handler, undefined);
    expect(calls.events).toEqual([
      expect.objectContaining({ code: EventCode.ClusterRefreshFailed, severity: 'alert' }),
    ]);
  });

  it('an unexpected error still ends the job failed, with the generic fault', async () => {
    await executor.run(bullJob, throwingInStep(new Error('boom')), undefined);
    expect(calls.endStep).toEqual([['step-1', 'failed']]);
    expect(calls.fail).toEqual([
      [
        'job-1',
        { status: 500, reason: 'Operation Failed', detail: 'The action failed unexpectedly; see the service log.' },
        'failed',
      ],
    ]);
    expect(calls.events).toHaveLength(1);
  });
});
