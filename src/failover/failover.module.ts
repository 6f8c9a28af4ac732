import { Module, OnModuleInit } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module';
import { DiscoveryModule } from '../discovery/discovery.module';
import { DrModule } from '../dr/dr.module';
import { HostsModule } from '../hosts/hosts.module';
import { JobsModule } from '../jobs/jobs.module';
import { SessionCreateModule } from '../session-create/session-create.module';
import { SessionWorkerModule } from '../session-worker/session-worker.module';
import { SessionDeletionGuards } from '../sessions/session-deletion-guards';
import { SessionsModule } from '../sessions/sessions.module';
import { StorageDomainsModule } from '../storage-domains/storage-domains.module';
import { VolumesModule } from '../volumes/volumes.module';
import { CheckpointCatchUp } from './checkpoint-catch-up';
import { FailedOverSessionGuard } from './failed-over-session-guard';
import { SessionFailbackJob } from './session-failback.job';
import { SessionFailoverJob } from './session-failover.job';
import { FailoverSlaveVolume } from './slave-volume';
import { StorageDomainFailover, StorageDomainFailoverController } from './storage-domain-failover.controller';

/** Failover of a geo-replication session to its slave, and the failback (the API side is the session's actions). */
@Module({
  imports: [
    SessionsModule,
    SessionWorkerModule,
    SessionCreateModule,
    DrModule,
    JobsModule,
    ClustersModule,
    HostsModule,
    VolumesModule,
    DiscoveryModule,
    StorageDomainsModule,
  ],
  controllers: [StorageDomainFailoverController],
  providers: [
    SessionFailoverJob,
    SessionFailbackJob,
    FailoverSlaveVolume,
    CheckpointCatchUp,
    StorageDomainFailover,
    FailedOverSessionGuard,
  ],
})
export class FailoverModule implements OnModuleInit {
  constructor(private readonly deletionGuards: SessionDeletionGuards) {}

  onModuleInit(): void {
    this.deletionGuards.register(async (session) =>
      session.failbackOf
        ? 'this is the reverse session of a failback in progress; it is deleted when the failback completes'
        : null,
    );
  }
}
