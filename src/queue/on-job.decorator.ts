import { SetMetadata } from '@nestjs/common';
import { JobDefinition } from './job-definition';

export const ON_JOB = Symbol('ON_JOB');

/**
 * Marks a provider method as the handler of one job. The method must take the definition's input
 * and answer its result (a mismatch does not compile); the worker finds it by the job's name.
 */
export function OnJob<TInput, TResult>(definition: JobDefinition<TInput, TResult>) {
  return <M extends (input: TInput, token?: string) => Promise<TResult>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    SetMetadata(ON_JOB, definition.name)(target, key, descriptor);
  };
}
