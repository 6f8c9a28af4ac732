import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { ClustersModule } from './clusters/clusters.module';
import { AppConfig } from './config/config';
import { CoreModule, ResolvedServices } from './core.module';
import { HealthModule } from './health/health.module';
import { HostsModule } from './hosts/hosts.module';
import { correlationIdMiddleware } from './ovirt/correlation-id.middleware';
import { OvirtModule } from './ovirt/ovirt.module';
import { WorkerModule } from './queue/worker.module';
import { UsersModule } from './users/users.module';
import { AuthModule } from './auth/auth.module';
import { SshModule } from './ssh/ssh.module';
import { PkiModule } from './pki/pki.module';
import { EventsModule } from './events/events.module';
import { JobsModule } from './jobs/jobs.module';
import { SessionWorkerModule } from './session-worker/session-worker.module';
import { DiscoveryModule } from './discovery/discovery.module';
import { VolumesModule } from './volumes/volumes.module';
import { SessionsModule } from './sessions/sessions.module';
import { StorageDomainsModule } from './storage-domains/storage-domains.module';
import { DrModule } from './dr/dr.module';
import { FailoverModule } from './failover/failover.module';
import { SessionCreateModule } from './session-create/session-create.module';
import { PreflightModule } from './preflight/preflight.module';
import { SessionLogsModule } from './session-logs/session-logs.module';
import { MetricsModule } from './metrics/metrics.module';
import { NotificationsModule } from './notifications/notifications.module';
import { GlusterEventsModule } from './gluster-events/gluster-events.module';

/** Feature modules: their job handlers run only where the WorkerModule is loaded. */
const FEATURES = [
  SshModule,
  PkiModule,
  OvirtModule,
  EventsModule,
  JobsModule,
  UsersModule,
  AuthModule,
  ClustersModule,
  HostsModule,
  VolumesModule,
  SessionsModule,
  DiscoveryModule,
  SessionWorkerModule,
  SessionCreateModule,
  StorageDomainsModule,
  DrModule,
  FailoverModule,
  PreflightModule,
  SessionLogsModule,
  MetricsModule,
  NotificationsModule,
  GlusterEventsModule,
];

@Module({})
export class AppModule implements NestModule {
  static forRole(config: AppConfig, services: ResolvedServices): DynamicModule {
    const serves = config.role !== 'worker';
    const works = config.role !== 'api';
    return {
      module: AppModule,
      imports: [
        CoreModule.register(config, services),
        ...FEATURES,
        ...(serves ? [HealthModule] : []),
        ...(works ? [WorkerModule] : []),
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(correlationIdMiddleware).forRoutes('*path');
  }
}
