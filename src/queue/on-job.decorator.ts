import { SetMetadata } from '@nestjs/common';
import { JobName } from './queue-names';

export const ON_JOB = Symbol('ON_JOB');

/** Marks a provider method as the handler of one job name. */
export const OnJob = (name: JobName): MethodDecorator => SetMetadata(ON_JOB, name);
