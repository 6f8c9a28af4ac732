import { Module } from '@nestjs/common';
import { ClusterRefreshAction } from './cluster-refresh.action';

@Module({ providers: [ClusterRefreshAction] })
export class ClusterActionsModule {}
