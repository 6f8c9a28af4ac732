import { Module } from '@nestjs/common';
import { TokenPruner } from './token-pruner';

@Module({ providers: [TokenPruner], exports: [TokenPruner] })
export class UsersModule {}
