import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FollowRegistry } from '../ovirt/follow';
import { TokenPruner } from './token-pruner.job';
import { UserEntity } from './user.entity';
import { UserSchema, userView } from './user.representation';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** Users and their bearer tokens: the `/users` collection (admins only) and the token store AuthModule uses. */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity])],
  controllers: [UsersController],
  providers: [TokenPruner, UsersRepository, UsersService],
  exports: [TokenPruner, UsersRepository, UsersService],
})
export class UsersModule implements OnModuleInit {
  constructor(
    private readonly users: UsersService,
    private readonly follow: FollowRegistry,
  ) {}

  onModuleInit(): void {
    this.follow.register(
      UserSchema,
      async (ids) => new Map((await this.users.findByIds(ids)).map((u) => [u.id, userView(u)])),
    );
  }
}
