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
  OvirtSubCollection,
  RemoveRoute,
  RequestCaller,
  ResourceId,
  UpdateRoute,
} from '../ovirt/routes';
import { DR_SCHEDULES, STORAGE_DOMAINS } from '../storage-domains/storage-domain.representation';
import {
  DR_RUNS,
  DrRunSchema,
  DrRunView,
  DrScheduleCreate,
  DrScheduleSchema,
  DrScheduleUpdate,
  DrScheduleView,
  RUN_SEARCH,
  RunCancelActionSchema,
  SCHEDULE_SEARCH,
  SchedulePauseActionSchema,
  ScheduleResumeActionSchema,
  SyncNowActionSchema,
} from './dr.representation';
import { DrService } from './dr.service';

const SCHEDULES_PATH = `${STORAGE_DOMAINS}/:storagedomain/${DR_SCHEDULES}`;

@OvirtSubCollection(SCHEDULES_PATH)
export class DrSchedulesController {
  constructor(private readonly dr: DrService) {}

  @ListRoute(DrScheduleSchema, { search: SCHEDULE_SEARCH, summary: 'List the DR schedules of a storage domain' })
  list(@Param('storagedomain') domainId: string, @ListParams() query: ListQuery): Promise<DrScheduleView[]> {
    return this.dr.listSchedules(domainId, query);
  }

  @GetRoute(DrScheduleSchema, { summary: 'Get a DR schedule, with its next run, last run, last success and data age' })
  async get(@Param('storagedomain') domainId: string, @ResourceId() id: string): Promise<DrScheduleView> {
    return (await this.dr.scheduleViews([await this.dr.getSchedule(domainId, id)]))[0];
  }

  @AddRoute(DrScheduleSchema, {
    summary: 'Add a DR schedule: sync the storage domain through a geo-replication session of its volume',
  })
  async add(
    @Param('storagedomain') domainId: string,
    @OvirtBody(DrScheduleSchema, 'create') body: DrScheduleCreate,
    @RequestCaller() caller: Caller,
  ): Promise<DrScheduleView> {
    return (await this.dr.scheduleViews([await this.dr.addSchedule(domainId, body, caller)]))[0];
  }

  @UpdateRoute(DrScheduleSchema, { summary: 'Update a DR schedule' })
  async update(
    @Param('storagedomain') domainId: string,
    @ResourceId() id: string,
    @OvirtBody(DrScheduleSchema, 'update') body: DrScheduleUpdate,
    @RequestCaller() caller: Caller,
  ): Promise<DrScheduleView> {
    return (await this.dr.scheduleViews([await this.dr.updateSchedule(domainId, id, body, caller)]))[0];
  }

  @RemoveRoute(DrScheduleSchema, {
    summary: 'Remove a DR schedule (409 while one of its runs goes on); its runs go with it',
  })
  async remove(
    @Param('storagedomain') domainId: string,
    @ResourceId() id: string,
    @RequestCaller() caller: Caller,
  ): Promise<void> {
    await this.dr.removeSchedule(domainId, id, caller);
  }

  @ActionRoute(DrScheduleSchema, 'syncnow', SyncNowActionSchema, {
    runsJob: true,
    asyncByDefault: true,
    summary: 'Synchronize the storage domain now',
    description:
      'Starts a DR run as a job (202 with the job and the run unless async=false). 409 while another run of the storage domain goes on.',
  })
  syncNow(
    @Param('storagedomain') domainId: string,
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof SyncNowActionSchema>,
  ): Promise<ActionReply> {
    return this.dr.syncNow(domainId, id, input);
  }

  @ActionRoute(DrScheduleSchema, 'pause', SchedulePauseActionSchema, {
    runsJob: false,
    summary: 'Pause a DR schedule',
    description: 'No run fires until resume; a run going on is not affected (cancel it).',
  })
  pause(
    @Param('storagedomain') domainId: string,
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof SchedulePauseActionSchema>,
    @RequestCaller() caller: Caller,
  ): Promise<ActionReply> {
    return this.dr.pause(domainId, id, input, caller);
  }

  @ActionRoute(DrScheduleSchema, 'resume', ScheduleResumeActionSchema, {
    runsJob: false,
    summary: 'Resume a paused DR schedule',
    description: '409 (and an alert event) when the schedule has no session any more.',
  })
  resume(
    @Param('storagedomain') domainId: string,
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof ScheduleResumeActionSchema>,
    @RequestCaller() caller: Caller,
  ): Promise<ActionReply> {
    return this.dr.resume(domainId, id, input, caller);
  }
}

@OvirtSubCollection(`${SCHEDULES_PATH}/:schedule/${DR_RUNS}`)
export class DrRunsController {
  constructor(private readonly dr: DrService) {}

  @ListRoute(DrRunSchema, { search: RUN_SEARCH, summary: 'List the runs of a DR schedule' })
  list(
    @Param('storagedomain') domainId: string,
    @Param('schedule') scheduleId: string,
    @ListParams() query: ListQuery,
  ): Promise<DrRunView[]> {
    return this.dr.listRuns(domainId, scheduleId, query);
  }

  @GetRoute(DrRunSchema, { summary: 'Get a DR run with its steps and per-brick progress' })
  async get(
    @Param('storagedomain') domainId: string,
    @Param('schedule') scheduleId: string,
    @ResourceId() id: string,
  ): Promise<DrRunView> {
    return (await this.dr.runViews([await this.dr.getRun(domainId, scheduleId, id)]))[0];
  }

  @ActionRoute(DrRunSchema, 'cancel', RunCancelActionSchema, {
    runsJob: false,
    summary: 'Cancel a DR run',
    description:
      'The run stops within one poll, puts the session back as it found it and ends aborted. 409 when it has ended.',
  })
  cancel(
    @Param('storagedomain') domainId: string,
    @Param('schedule') scheduleId: string,
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof RunCancelActionSchema>,
    @RequestCaller() caller: Caller,
  ): Promise<ActionReply> {
    return this.dr.cancel(domainId, scheduleId, id, input, caller);
  }
}
