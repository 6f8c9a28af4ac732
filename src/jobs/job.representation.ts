import { refTo } from '../ovirt/api-paths';
import { bool, date, enumOf, int, ref, resource, str, ViewOf } from '../ovirt/representation';
import type { JobEntity } from './job.entity';
import type { StepEntity } from './step.entity';

export const JOBS = 'jobs';
const JOB_STATUSES = ['started', 'finished', 'failed', 'aborted', 'unknown'] as const;

/** oVirt's job (types/Job.java): long or remote work, followed through its steps. */
export const JobSchema = resource(
  'job',
  JOBS,
  {
    description: str({ maxLength: 1000 }),
    status: enumOf(JOB_STATUSES, { readOnly: true }),
    start_time: date({ readOnly: true }),
    end_time: date({ readOnly: true, optional: true }),
    last_updated: date({ readOnly: true }),
    external: bool({ readOnly: true }),
    auto_cleared: bool({ optional: true, description: 'Removed automatically after the retention period once finished (default true).' }),
    owner: ref('user', { readOnly: true, optional: true }),
    correlation_id: str({ readOnly: true, optional: true }),
  },
  { links: ['steps'], actions: ['clear', 'end'], description: 'A job: the record of one action, or an external job a client added.' },
);

export const StepSchema = resource(
  'step',
  'steps',
  {
    description: str({ readOnly: true }),
    type: enumOf(['validating', 'executing', 'finalizing', 'rebalancing_volume', 'removing_bricks', 'unknown'] as const, { readOnly: true }),
    number: int({ readOnly: true }),
    status: enumOf(JOB_STATUSES, { readOnly: true }),
    progress: int({ readOnly: true, optional: true, min: 0, max: 100 }),
    start_time: date({ readOnly: true }),
    end_time: date({ readOnly: true, optional: true }),
    external: bool({ readOnly: true }),
    job: ref('job', { readOnly: true }),
    parent_step: ref('step', { readOnly: true, optional: true }),
    execution_host: ref('host', { readOnly: true, optional: true }),
  },
  { description: 'One step of a job.' },
);

export type JobView = ViewOf<typeof JobSchema>;
export type StepView = ViewOf<typeof StepSchema>;

export function jobView(job: JobEntity): JobView {
  return {
    ...refTo(JOBS, job.id),
    description: job.description,
    status: job.status,
    start_time: job.startTime,
    end_time: job.endTime ?? undefined,
    last_updated: job.lastUpdated,
    external: job.external,
    auto_cleared: job.autoCleared,
    owner: job.ownerId ? refTo('users', job.ownerId) : undefined,
    correlation_id: job.correlationId ?? undefined,
  };
}

export function stepView(step: StepEntity): StepView {
  const href = `${refTo(JOBS, step.jobId).href}/steps/${step.id}`;
  return {
    id: step.id,
    href,
    description: step.description,
    type: step.type,
    number: step.number,
    status: step.status,
    progress: step.progress ?? undefined,
    start_time: step.startTime,
    end_time: step.endTime ?? undefined,
    external: step.external,
    job: refTo(JOBS, step.jobId),
    parent_step: step.parentStepId ? { id: step.parentStepId, href: `${refTo(JOBS, step.jobId).href}/steps/${step.parentStepId}` } : undefined,
    execution_host: step.executionHostId ? refTo('hosts', step.executionHostId) : undefined,
  };
}
