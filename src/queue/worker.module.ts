import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { WorkerRunner } from './worker-runner';

/** Runs the BullMQ processors; imported only by the `worker` and `all` roles. */
@Module({ imports: [DiscoveryModule], providers: [WorkerRunner] })
export class WorkerModule {}
