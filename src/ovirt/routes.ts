import { applyDecorators, Controller, createParamDecorator, Delete, ExecutionContext, Get, Param, Post, Put, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import { API_ROOT } from './api-paths';
import type { ResourceSchema } from './representation';
import { ListQuery, parseListQuery } from './query';
import type { SearchSpec } from './search';

/**
 * Route decorators of the oVirt API. Each one registers the Nest route AND records what it serves, so
 * the response interceptor renders it and the OpenAPI document describes it from the same facts.
 *
 *   @OvirtCollection('clusters')
 *   class ClustersController {
 *     @ListRoute(ClusterSchema, { search: CLUSTER_SEARCH }) list(@ListParams() q: ListQuery) { … }   // GET    /clusters
 *     @GetRoute(ClusterSchema)      get(@ResourceId() id: string) { … }                            // GET    /clusters/{id}
 *     @AddRoute(ClusterSchema)      add(@OvirtBody(ClusterSchema, 'create') body) { … }           // POST   /clusters → 201 + Location
 *     @UpdateRoute(ClusterSchema)   update(@ResourceId() id, @OvirtBody(ClusterSchema, 'update') body) { … }
 *     @RemoveRoute(ClusterSchema)   remove(@ResourceId() id) { … }                                // DELETE → 200, no body
 *   }
 *
 * Handlers return views (`ViewOf<Schema>`, an array of them for list, nothing for remove).
 */
export const OVIRT_ROUTE = 'ovirt:route';
export const OVIRT_COLLECTION = 'ovirt:collection';
export const PUBLIC_ROUTE = 'ovirt:public';

export type CrudOperation = 'list' | 'get' | 'add' | 'update' | 'remove';

export interface CrudRouteSpec {
  readonly operation: CrudOperation;
  readonly schema: ResourceSchema;
  /** list only: the fields `search` may use. */
  readonly search?: SearchSpec;
  /** One line for the OpenAPI document; a default is made from the operation. */
  readonly summary?: string;
}

/** The API root: its schema depends on which collections exist, so the handler returns `{schema, view}`. */
export interface ApiRootRouteSpec {
  readonly operation: 'api_root';
  readonly summary?: string;
}

export type OvirtRouteSpec = CrudRouteSpec | ApiRootRouteSpec;

/** The route parameter every single-resource route uses. */
export const RESOURCE_ID_PARAM = 'id';

function route(spec: OvirtRouteSpec, method: MethodDecorator): MethodDecorator {
  return applyDecorators(method, SetMetadata(OVIRT_ROUTE, spec));
}

/** A top-level collection `/ovirt-engine/api/<name>`: a controller, and a link in the API root. */
export function OvirtCollection(name: string): ClassDecorator {
  return applyDecorators(Controller(`${API_ROOT.slice(1)}/${name}`), SetMetadata(OVIRT_COLLECTION, name));
}

export function ListRoute(schema: ResourceSchema, options: { search: SearchSpec; summary?: string }): MethodDecorator {
  return route({ operation: 'list', schema, ...options }, Get());
}

export function GetRoute(schema: ResourceSchema, options: { summary?: string } = {}): MethodDecorator {
  return route({ operation: 'get', schema, ...options }, Get(`:${RESOURCE_ID_PARAM}`));
}

export function AddRoute(schema: ResourceSchema, options: { summary?: string } = {}): MethodDecorator {
  return route({ operation: 'add', schema, ...options }, Post());
}

export function UpdateRoute(schema: ResourceSchema, options: { summary?: string } = {}): MethodDecorator {
  return route({ operation: 'update', schema, ...options }, Put(`:${RESOURCE_ID_PARAM}`));
}

export function RemoveRoute(schema: ResourceSchema, options: { summary?: string } = {}): MethodDecorator {
  return route({ operation: 'remove', schema, ...options }, Delete(`:${RESOURCE_ID_PARAM}`));
}

export function ApiRootRoute(): MethodDecorator {
  return route({ operation: 'api_root' }, Get());
}

/** The `{id}` of a single-resource route. */
export function ResourceId(): ParameterDecorator {
  return Param(RESOURCE_ID_PARAM);
}

/**
 * Needs no authentication (DESIGN.md: health, the token and PKI endpoints, the /docs page). Everything
 * else goes through AccessGuard.
 */
export function Public(): ClassDecorator & MethodDecorator {
  return SetMetadata(PUBLIC_ROUTE, true);
}

/**
 * The `max`, `search` and `case_sensitive` parameters of a `@ListRoute`, checked against its search
 * spec: `list(@ListParams() query: ListQuery)`.
 */
export const ListParams = createParamDecorator((_: unknown, ctx: ExecutionContext): ListQuery => {
  const spec = Reflect.getMetadata(OVIRT_ROUTE, ctx.getHandler()) as OvirtRouteSpec | undefined;
  if (spec?.operation !== 'list' || spec.search === undefined) {
    throw new Error('@ListParams() is only for handlers decorated with @ListRoute()');
  }
  return parseListQuery(ctx.switchToHttp().getRequest<Request>().query, spec.search);
});
