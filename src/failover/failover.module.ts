import { Module } from '@nestjs/common';
import { DrModule } from '../dr/dr.module';
import { JobsModule } from '../jobs/jobs.module';
import { SessionWorkerModule } from '../session-worker/session-worker.module';
import { SessionsModule } from '../sessions/sessions.module';
import { SessionFailoverJob } from './session-failover.job';

/** Failover of a geo-replication session to its slave (the API side is the session's `failover` action). */
@Module({
  imports: [SessionsModule, SessionWorkerModule, DrModule, JobsModule],
  providers: [SessionFailoverJob],
})
export class FailoverModule {}
