import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClustersModule } from '../clusters/clusters.module';
import { FollowRegistry } from '../ovirt/follow';
import { GlusterBrickEntity } from './gluster-brick.entity';
import { GlusterVolumeEntity } from './gluster-volume.entity';
import { GlusterBrickSchema, GlusterVolumeSchema } from './volume.representation';
import { GlusterBricksController, GlusterVolumesController } from './volumes.controller';
import { VolumesRepository } from './volumes.repository';
import { VolumesService } from './volumes.service';

/** Gluster volumes and their bricks, as discovery last read them (read-only API). */
@Module({
  imports: [TypeOrmModule.forFeature([GlusterVolumeEntity, GlusterBrickEntity]), ClustersModule],
  controllers: [GlusterVolumesController, GlusterBricksController],
  providers: [VolumesRepository, VolumesService],
  exports: [VolumesRepository, VolumesService],
})
export class VolumesModule implements OnModuleInit {
  constructor(
    private readonly volumes: VolumesService,
    private readonly follow: FollowRegistry,
  ) {}

  onModuleInit(): void {
    this.follow.register(GlusterVolumeSchema, (ids) => this.volumes.viewsByIds(ids));
    this.follow.register(GlusterBrickSchema, (ids) => this.volumes.brickViewsByIds(ids));
  }
}
