import { EventEntity } from '../events/event.entity';
import { JobEntity } from '../jobs/job.entity';
import { StepEntity } from '../jobs/step.entity';
import { ClusterEntity } from '../clusters/cluster.entity';
import { HostEntity } from '../hosts/host.entity';
import { UserEntity } from '../users/user.entity';

/** Every TypeORM entity of the service. Feature modules add theirs here. */
export const ENTITIES = [UserEntity, JobEntity, StepEntity, EventEntity, ClusterEntity, HostEntity];
