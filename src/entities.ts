import { EventEntity } from './events/event.entity';
import { JobEntity } from './jobs/job.entity';
import { StepEntity } from './jobs/step.entity';
import { ClusterEntity } from './clusters/cluster.entity';
import { HostEntity } from './hosts/host.entity';
import { UserEntity } from './users/user.entity';
import { GlusterVolumeEntity } from './volumes/gluster-volume.entity';
import { GlusterBrickEntity } from './volumes/gluster-brick.entity';
import { GeoRepSessionEntity } from './sessions/georep-session.entity';
import { GeoRepSessionDetailEntity } from './sessions/georep-session-detail.entity';
import { GeoRepSessionOptionEntity } from './sessions/georep-session-option.entity';
import { StorageDomainEntity } from './storage-domains/storage-domain.entity';
import { DrScheduleEntity } from './dr/dr-schedule.entity';
import { DrRunEntity } from './dr/dr-run.entity';
import { EventSubscriptionEntity } from './notifications/event-subscription.entity';
import { NotificationDeliveryEntity } from './notifications/notification-delivery.entity';

/** Every TypeORM entity of the service. Feature modules add theirs here. */
export const ENTITIES = [
  UserEntity,
  JobEntity,
  StepEntity,
  EventEntity,
  ClusterEntity,
  HostEntity,
  GlusterVolumeEntity,
  GlusterBrickEntity,
  GeoRepSessionEntity,
  GeoRepSessionDetailEntity,
  GeoRepSessionOptionEntity,
  StorageDomainEntity,
  DrScheduleEntity,
  DrRunEntity,
  EventSubscriptionEntity,
  NotificationDeliveryEntity,
];
