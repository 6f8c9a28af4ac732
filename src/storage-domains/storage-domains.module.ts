import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HostEntity } from '../hosts/host.entity';
import { FollowRegistry } from '../ovirt/follow';
import { GlusterVolumeEntity } from '../volumes/gluster-volume.entity';
import { StorageDomainEntity } from './storage-domain.entity';
import { StorageDomainSchema } from './storage-domain.representation';
import { StorageDomainsController } from './storage-domains.controller';
import { StorageDomainsRepository } from './storage-domains.repository';
import { StorageDomainsService } from './storage-domains.service';

@Module({
  imports: [TypeOrmModule.forFeature([StorageDomainEntity, GlusterVolumeEntity, HostEntity])],
  controllers: [StorageDomainsController],
  providers: [StorageDomainsRepository, StorageDomainsService],
  exports: [StorageDomainsService, StorageDomainsRepository],
})
export class StorageDomainsModule implements OnModuleInit {
  constructor(
    private readonly domains: StorageDomainsService,
    private readonly follow: FollowRegistry,
  ) {}

  onModuleInit(): void {
    this.follow.register(StorageDomainSchema, (ids) => this.domains.viewsByIds(ids));
  }
}
