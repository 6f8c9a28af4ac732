import { Param } from '@nestjs/common';
import type { ListQuery } from '../ovirt/query';
import { OvirtBody } from '../ovirt/request-body';
import {
  ActionInput,
  ActionInputParam,
  ActionReply,
  ActionRoute,
  AddRoute,
  Caller,
  GetRoute,
  ListParams,
  ListRoute,
  OvirtCollection,
  OvirtSubCollection,
  RequestCaller,
  ResourceId,
} from '../ovirt/routes';
import {
  JOB_SEARCH,
  JobClearActionSchema,
  JobCreate,
  JobEndActionSchema,
  JOBS,
  JobSchema,
  JobView,
  jobView,
  STEP_SEARCH,
  StepSchema,
  StepView,
  stepView,
} from './job.representation';
import { JobsService } from './jobs.service';

@OvirtCollection(JOBS)
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @ListRoute(JobSchema, { search: JOB_SEARCH, summary: 'List jobs, newest first' })
  async list(@ListParams() query: ListQuery): Promise<JobView[]> {
    return (await this.jobs.list(query)).map(jobView);
  }

  @GetRoute(JobSchema)
  async get(@ResourceId() id: string): Promise<JobView> {
    return jobView(await this.jobs.get(id));
  }

  @AddRoute(JobSchema, { summary: 'Add an external job (one the client runs and ends itself)' })
  async add(@OvirtBody(JobSchema, 'create') body: JobCreate, @RequestCaller() caller: Caller): Promise<JobView> {
    return jobView(await this.jobs.addExternal(body, caller));
  }

  @ActionRoute(JobSchema, 'end', JobEndActionSchema, {
    runsJob: false,
    summary: 'End a job',
    description:
      'Ends an external job as finished or failed; with force, cancels an action job of the service that is still queued. A running action job ends by itself (409), ' +
      'unless the worker lost track of it (its queue entry is gone, completed or failed): then force ends it aborted.',
  })
  end(
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof JobEndActionSchema>,
  ): Promise<ActionReply> {
    return this.jobs.end(id, input);
  }

  @ActionRoute(JobSchema, 'clear', JobClearActionSchema, {
    runsJob: false,
    summary: 'Clear a job that has ended',
    description:
      'Removes the job and its steps now, instead of after the retention period. A job that has not ended is a 409.',
  })
  clear(
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof JobClearActionSchema>,
  ): Promise<ActionReply> {
    return this.jobs.clear(id, input);
  }
}

@OvirtSubCollection(`${JOBS}/:job/steps`)
export class StepsController {
  constructor(private readonly jobs: JobsService) {}

  @ListRoute(StepSchema, { search: STEP_SEARCH, summary: 'List the steps of a job, in order' })
  async list(@Param('job') jobId: string, @ListParams() query: ListQuery): Promise<StepView[]> {
    return (await this.jobs.steps(jobId, query)).map(stepView);
  }

  @GetRoute(StepSchema)
  async get(@Param('job') jobId: string, @ResourceId() id: string): Promise<StepView> {
    return stepView(await this.jobs.step(jobId, id));
  }
}
