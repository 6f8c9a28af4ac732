import { Global, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { AccessGuard } from './access.guard';
import { ApiRootController, ApiRoutes } from './api-root';
import { OvirtExceptionFilter } from './exception.filter';
import { FollowRegistry, followableFields } from './follow';
import { answerServerErrorsAsFaults, keepIdleConnectionsThroughStalls } from './http-server';
import { OvirtResponseInterceptor } from './response.interceptor';
import { servedTypes } from './route-discovery';

/**
 * The oVirt conventions as Nest providers: faults for every error, rendering by route decorator, the
 * access guard, the API root and the follow registry. The HTTP set-up outside Nest (version prefix,
 * body parsing, /docs) is configureOvirtHttp().
 */
@Global()
@Module({
  controllers: [ApiRootController],
  providers: [
    FollowRegistry,
    ApiRoutes,
    { provide: APP_FILTER, useClass: OvirtExceptionFilter },
    { provide: APP_INTERCEPTOR, useClass: OvirtResponseInterceptor },
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [FollowRegistry, ApiRoutes],
})
export class OvirtModule implements OnApplicationBootstrap {
  constructor(
    private readonly routes: ApiRoutes,
    private readonly follow: FollowRegistry,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Every reference the routes offer to follow (and the OpenAPI document advertises) must have a loader. */
  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (server) {
      answerServerErrorsAsFaults(server);
      keepIdleConnectionsThroughStalls(server);
    }
    const routes = this.routes.all();
    const served = servedTypes(routes);
    const loaded = this.follow.types();
    for (const route of routes) {
      if (route.spec?.operation !== 'list' && route.spec?.operation !== 'get') continue;
      const schema = route.spec.schema;
      for (const name of followableFields(schema, served)) {
        const field = schema.fields[name];
        if (field.kind === 'ref' && !loaded.has(field.type)) {
          throw new Error(
            `${schema.type}.${name} can be followed but no follow loader is registered for ${field.type}`,
          );
        }
      }
    }
  }
}
