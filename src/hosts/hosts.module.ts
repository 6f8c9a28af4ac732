import { Module, OnModuleInit } from '@nestjs/common';
import { FollowRegistry } from '../ovirt/follow';
import { HostSchema, hostView } from './host.representation';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClustersModule } from '../clusters/clusters.module';
import { SshModule } from '../ssh/ssh.module';
import { HostEntity } from './host.entity';
import { HostsController } from './hosts.controller';
import { HostsRepository } from './hosts.repository';
import { HostActions } from './host-actions.job';
import { HostContact } from './host-contact';
import { HostShell } from './host-shell';
import { RemoteReadLimiter } from './remote-read-limiter';
import { HostsService } from './hosts.service';

@Module({
  imports: [TypeOrmModule.forFeature([HostEntity]), ClustersModule, SshModule],
  controllers: [HostsController],
  providers: [
    HostsRepository,
    HostsService,
    HostShell,
    HostContact,
    HostActions,
    { provide: RemoteReadLimiter, useValue: new RemoteReadLimiter() },
  ],
  exports: [HostsService, HostsRepository, HostShell, RemoteReadLimiter],
})
export class HostsModule implements OnModuleInit {
  constructor(
    private readonly hosts: HostsService,
    private readonly follow: FollowRegistry,
  ) {}

  onModuleInit(): void {
    this.follow.register(
      HostSchema,
      async (ids) => new Map((await this.hosts.findByIds(ids)).map((h) => [h.id, hostView(h)])),
    );
  }
}
