import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FollowRegistry } from '../ovirt/follow';
import { ClusterEntity } from './cluster.entity';
import { ClusterSchema, clusterView } from './cluster.representation';
import { ClustersController } from './clusters.controller';
import { ClustersRepository } from './clusters.repository';
import { ClustersService } from './clusters.service';

@Module({
  imports: [TypeOrmModule.forFeature([ClusterEntity])],
  controllers: [ClustersController],
  providers: [ClustersRepository, ClustersService],
  exports: [ClustersService, ClustersRepository],
})
export class ClustersModule implements OnModuleInit {
  constructor(
    private readonly clusters: ClustersService,
    private readonly follow: FollowRegistry,
  ) {}

  onModuleInit(): void {
    this.follow.register(
      ClusterSchema,
      async (ids) => new Map((await this.clusters.findByIds(ids)).map((c) => [c.id, clusterView(c)])),
    );
  }
}
