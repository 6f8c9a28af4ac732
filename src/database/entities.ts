import { UserEntity } from '../users/user.entity';

/** Every TypeORM entity of the service. Feature modules add theirs here. */
export const ENTITIES = [UserEntity];
