import { refTo } from '../ovirt/api-paths';
import {
  actionSchema,
  bool,
  CreateInputOf,
  date,
  enumOf,
  int,
  ref,
  resource,
  str,
  ViewOf,
} from '../ovirt/representation';
import type { SearchSpec } from '../ovirt/search';
import { fitOvirtModel, OVIRT_JOB_FIELDS } from '../ovirt-model/ovirt-fields';
import type { JobEntity } from './job.entity';
import type { StepEntity } from './step.entity';

export const JOBS = 'jobs';
const JOB_STATUSES = ['started', 'finished', 'failed', 'aborted', 'unknown'] as const;

const jobFields = {
  description: str({ maxLength: 1000 }),
  status: enumOf(JOB_STATUSES, { readOnly: true }),
  start_time: date({ readOnly: true }),
  end_time: date({ readOnly: true, optional: true }),
  last_updated: date({ readOnly: true }),
  external: bool({ readOnly: true }),
  auto_cleared: bool({
    optional: true,
    description: 'Removed automatically after the retention period once finished (default true).',
  }),
  owner: ref('user', { readOnly: true, optional: true }),
  correlation_id: str({ readOnly: true, optional: true }),
};
/** oVirt's job (types/Job.java): long or remote work, followed through its steps. */
export const JobSchema = resource('job', JOBS, jobFields, {
  links: ['steps'],
  actions: ['clear', 'end'],
  ...fitOvirtModel(
    OVIRT_JOB_FIELDS,
    Object.keys(jobFields),
    'A job: the record of one action, or an external job a client added.',
  ),
});

export const StepSchema = resource(
  'step',
  'steps',
  {
    description: str({ readOnly: true }),
    type: enumOf(
      ['validating', 'executing', 'finalizing', 'rebalancing_volume', 'removing_bricks', 'unknown'] as const,
      { readOnly: true },
    ),
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

/** `clear`: forget a job that has ended. */
export const JobClearActionSchema = actionSchema();

/** `end`: end an external job (or cancel one of ours that has not started yet, with `force`). */
export const JobEndActionSchema = actionSchema({
  succeeded: bool({ optional: true, description: 'The job ends finished (true, the default) or failed (false).' }),
  force: bool({
    optional: true,
    description: 'Also end (abort) an action job of the service that is still queued; a running one cannot be ended.',
  }),
});

export const JOB_SEARCH: SearchSpec = {
  fields: {
    description: { column: 'j.description' },
    status: { column: 'j.status', values: JOB_STATUSES },
    correlation_id: { column: 'j.correlation_id' },
    start_time: { column: 'j.start_time', type: 'date' },
    end_time: { column: 'j.end_time', type: 'date' },
  },
  defaultSort: 'start_time',
  defaultDescending: true,
};

export const STEPS = 'steps';

export const STEP_SEARCH: SearchSpec = {
  fields: {
    description: { column: 's.description' },
    status: { column: 's.status', values: JOB_STATUSES },
    number: { column: 's.number', type: 'number' },
  },
  defaultSort: 'number',
};

export type JobView = ViewOf<typeof JobSchema>;
export type JobCreate = CreateInputOf<typeof JobSchema>;
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
    actions: jobActions(job),
  };
}

/** What can be done with a job now: clear once it ended; end while an external one runs. */
export function jobActions(job: JobEntity): ('clear' | 'end')[] {
  if (job.status !== 'started') return ['clear'];
  return job.external ? ['end'] : job.runState === 'queued' ? ['end'] : [];
}

export function stepView(step: StepEntity): StepView {
  const href = `${refTo(JOBS, step.jobId).href}/${STEPS}/${step.id}`;
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
    parent_step: step.parentStepId
      ? { id: step.parentStepId, href: `${refTo(JOBS, step.jobId).href}/${STEPS}/${step.parentStepId}` }
      : undefined,
    execution_host: step.executionHostId ? refTo('hosts', step.executionHostId) : undefined,
  };
}
