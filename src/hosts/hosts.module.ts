import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClustersModule } from '../clusters/clusters.module';
import { HostEntity } from './host.entity';
import { HostsController } from './hosts.controller';
import { HostsRepository } from './hosts.repository';
import { HostsService } from './hosts.service';

@Module({
  imports: [TypeOrmModule.forFeature([HostEntity]), ClustersModule],
  controllers: [HostsController],
  providers: [HostsRepository, HostsService],
  exports: [HostsService],
})
export class HostsModule {}
