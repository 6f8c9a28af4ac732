import { Injectable } from '@nestjs/common';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import { OvirtFault } from '../ovirt/faults';
import type { ListQuery } from '../ovirt/query';
import type { ActionInput, ActionReply, Caller } from '../ovirt/routes';
import type { NewEvent } from '../events/events.repository';
import { JobEntity, JobStatus } from './job.entity';
import { JobCreate, JobEndActionSchema } from './job.representation';
import { JobsRepository } from './jobs.repository';
import { LostJobs } from './lost-jobs.job';
import { StepEntity } from './step.entity';

/**
 * Jobs as clients see them: the record of every action, plus external jobs a client adds and ends
 * itself (oVirt's external jobs). Jobs of the service end by themselves; `end` only cancels one that
 * has not started running, or (with force) one the worker lost track of.
 */
@Injectable()
export class JobsService {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly events: EventsService,
    private readonly lost: LostJobs,
  ) {}

  list(query: ListQuery): Promise<JobEntity[]> {
    return this.jobs.list(query);
  }

  findByIds(ids: readonly string[]): Promise<JobEntity[]> {
    return this.jobs.findByIds(ids);
  }

  async get(id: string): Promise<JobEntity> {
    const job = await this.jobs.findById(id);
    if (!job) throw OvirtFault.notFound('job', id);
    return job;
  }

  async addExternal(input: JobCreate, caller: Caller): Promise<JobEntity> {
    const job = await this.jobs.insertExternalJob(
      input.description,
      caller.correlationId,
      caller.userId,
      input.auto_cleared ?? true,
    );
    await this.events.record({
      code: EventCode.ExternalJobAdded,
      severity: 'normal',
      description: `External job added: ${job.description}`,
      jobId: job.id,
      ...this.who(caller),
    });
    return job;
  }

  async end(id: string, input: ActionInput<typeof JobEndActionSchema>): Promise<ActionReply> {
    const job = await this.get(id);
    if (job.status !== 'started') throw OvirtFault.conflict(`job ${job.id} has already ended (${job.status})`);
    if (!job.external && job.runState !== 'queued') return this.endRunning(job, input);
    if (!job.external && input.params.force !== true)
      throw OvirtFault.conflict(
        `job ${job.id} belongs to the service; end it with force=true to cancel it before it starts`,
      );
    const status = !job.external ? 'aborted' : input.params.succeeded === false ? 'failed' : 'finished';
    if (!(await this.jobs.end(job.id, status))) {
      throw OvirtFault.conflict(`job ${job.id} started running or ended meanwhile; it was not ended`);
    }
    await this.events.record(this.endedEvent(job, status, input));
    return { status: 'complete', params: input.params };
  }

  /** A running job of the service ends by itself, unless the worker lost track of it: then `force` ends it. */
  private async endRunning(job: JobEntity, input: ActionInput<typeof JobEndActionSchema>): Promise<ActionReply> {
    const running = `job ${job.id} is running inside the service and ends by itself; it cannot be ended`;
    if (input.params.force !== true) throw OvirtFault.conflict(running);
    const state = await this.lost.lostState(job).catch(() => {
      throw new OvirtFault(
        503,
        'Service Unavailable',
        'The job queue (Redis) is not reachable, so whether a worker still runs this job cannot be told; it was not ended.',
      );
    });
    if (state === undefined) throw OvirtFault.conflict(`${running} (a worker is still on it)`);
    if (
      !(await this.lost.endByUser(job, state, (manager) =>
        this.events.record(this.endedEvent(job, 'aborted', input), manager),
      ))
    ) {
      throw OvirtFault.conflict(`job ${job.id} ended meanwhile; it was not ended`);
    }
    return { status: 'complete', params: input.params };
  }

  private endedEvent(job: JobEntity, status: JobStatus, input: ActionInput<typeof JobEndActionSchema>): NewEvent {
    return {
      code: EventCode.JobEndedByUser,
      severity: 'normal',
      description: `Job ended by the user (${status}): ${job.description}`,
      jobId: job.id,
      ...this.who(input.call),
    };
  }

  async clear(id: string, input: ActionInput): Promise<ActionReply> {
    const job = await this.get(id);
    if (job.status === 'started')
      throw OvirtFault.conflict(`job ${job.id} has not ended yet; only ended jobs can be cleared`);
    if (!(await this.jobs.clear(job.id))) throw OvirtFault.notFound('job', id);
    await this.events.record({
      code: EventCode.JobCleared,
      severity: 'normal',
      description: `Job cleared: ${job.description}`,
      ...this.who(input.call),
    });
    return { status: 'complete', params: input.params };
  }

  async steps(jobId: string, query: ListQuery): Promise<StepEntity[]> {
    const job = await this.get(jobId);
    return this.jobs.steps(job.id, query);
  }

  findStepsByIds(ids: readonly string[]): Promise<StepEntity[]> {
    return this.jobs.findStepsByIds(ids);
  }

  async step(jobId: string, stepId: string): Promise<StepEntity> {
    const job = await this.get(jobId);
    const step = await this.jobs.findStep(job.id, stepId);
    if (!step) throw OvirtFault.notFound('step', stepId);
    return step;
  }

  private who(caller: Caller): { correlationId: string | null; userId: string | null } {
    return { correlationId: caller.correlationId, userId: caller.userId };
  }
}
