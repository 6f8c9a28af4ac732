import {
  applyDecorators,
  Controller,
  createParamDecorator,
  Delete,
  ExecutionContext,
  Get,
  Param,
  Post,
  Put,
  SetMetadata,
} from '@nestjs/common';
import type { Request } from 'express';
import { API_ROOT } from './api-paths';
import type { AuthenticatedRequest } from './access.guard';
import type { CorrelatedRequest } from './correlation-id.middleware';
import { OvirtFault } from './faults';
import { ActionSchema, ActionStatus, CreateInputOf, OpenApiSchemas, RefView, ResourceSchema } from './representation';
import { booleanParam, ListQuery, parseListQuery } from './query';
import { readRequestBody } from './request-body';
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
 *
 * Actions (`POST …/{id}/<name>` with an `<action>` body) return an ActionReply:
 *
 *     @ActionRoute(ClusterSchema, 'refresh', ClusterRefreshActionSchema, { runsJob: true })
 *     refresh(@ResourceId() id: string, @ActionInputParam() input: ActionInput<typeof ClusterRefreshActionSchema>) { … }
 *
 * Sub-collections (`/jobs/{job}/steps`) use `@OvirtSubCollection('jobs/:job/steps')` and the same route
 * decorators; their parent ids are ordinary `@Param()`s.
 */
export const OVIRT_ROUTE = 'ovirt:route';
export const DESCRIBED_ROUTE = 'ovirt:described-route';
export const OVIRT_COLLECTION = 'ovirt:collection';
export const PUBLIC_ROUTE = 'ovirt:public';

export type CrudOperation = 'list' | 'get' | 'add' | 'update' | 'remove';

/** A query parameter a route reads itself (besides the standard ones), for the OpenAPI document. */
export interface QueryParameterSpec {
  readonly name: string;
  readonly description: string;
  readonly type: 'integer' | 'boolean' | 'string';
  /** For integers: the format and the range the handler accepts. */
  readonly format?: 'int32' | 'int64';
  readonly minimum?: number;
  readonly maximum?: number;
}

export interface CrudRouteSpec {
  readonly operation: CrudOperation;
  readonly schema: ResourceSchema;
  /** list only: the fields `search` may use. */
  readonly search?: SearchSpec;
  /** Query parameters the handler reads with `@Query()`. */
  readonly query?: readonly QueryParameterSpec[];
  /** add/remove that do remote work as a job: may answer 202 with the `<action>` envelope and the job. */
  readonly runsJob?: boolean;
  /** One line for the OpenAPI document; a default is made from the operation. */
  readonly summary?: string;
}

/** The API root: its schema depends on which collections exist, so the handler returns `{schema, view}`. */
export interface ApiRootRouteSpec {
  readonly operation: 'api_root';
  readonly summary?: string;
}

/** `POST …/{id}/<action>`: the `<action>` envelope in, the envelope with status (and job, fault) out. */
export interface ActionRouteSpec {
  readonly operation: 'action';
  /** The resource the action acts on (for the OpenAPI tag and summary). */
  readonly resource: ResourceSchema;
  readonly action: string;
  readonly schema: ActionSchema;
  /** Runs as a job: may answer 202 (pending / in_progress) and fail with 409, 502 or 504 and a failed envelope. */
  readonly runsJob: boolean;
  /** Answers 202 unless the client asks to wait (`async=false`). */
  readonly asyncByDefault?: boolean;
  readonly summary?: string;
  readonly description?: string;
}

export type OvirtRouteSpec = CrudRouteSpec | ApiRootRouteSpec | ActionRouteSpec;

/**
 * A route that serves no oVirt representation (SSO, PKI, health), for the OpenAPI document: its operation
 * as served. The document adds the Version and Correlation-Id parameters, the Correlation-Id header of every
 * response, and for a protected route the security and the faults of checking credentials.
 */
export interface DescribedRouteSpec {
  readonly tag: { readonly name: string; readonly description: string };
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  /** Its own parameters (OpenAPI parameter objects). */
  readonly parameters?: readonly object[];
  readonly requestBody?: object;
  /** Its own responses by status: the successes, and errors that are not oVirt faults. */
  readonly responses: Readonly<Record<string, object>>;
  /** The statuses it answers with the standard oVirt fault responses (`#/components/responses/…`). */
  readonly faults?: readonly (400 | 404 | 413 | 415 | 500 | 503)[];
  /** The schemas its body and responses refer to as `#/components/schemas/<Name>`. */
  readonly schemas?: OpenApiSchemas;
  /**
   * `@Public()` to AccessGuard only because a guard of its own checks the credentials, taking the API's logins
   * (any role): the document gives it the API's security and its 401/429/503 faults.
   */
  readonly ownGuard?: boolean;
}

/** The route parameter every single-resource route uses. */
export const RESOURCE_ID_PARAM = 'id';

function route(spec: OvirtRouteSpec, method: MethodDecorator): MethodDecorator {
  return applyDecorators(method, SetMetadata(OVIRT_ROUTE, spec));
}

/** A top-level collection `/ovirt-engine/api/<name>`: a controller, and a link in the API root. */
export function OvirtCollection(name: string): ClassDecorator {
  return applyDecorators(Controller(`${API_ROOT.slice(1)}/${name}`), SetMetadata(OVIRT_COLLECTION, name));
}

export function ListRoute(
  schema: ResourceSchema,
  options: { search: SearchSpec; summary?: string; query?: readonly QueryParameterSpec[] },
): MethodDecorator {
  return route({ operation: 'list', schema, ...options }, Get());
}

export function GetRoute(schema: ResourceSchema, options: { summary?: string } = {}): MethodDecorator {
  return route({ operation: 'get', schema, ...options }, Get(`:${RESOURCE_ID_PARAM}`));
}

/**
 * A single resource below another (`…/{session}/preflight`, no id of its own): a `get` route on the
 * controller's own path.
 */
export function SingletonGetRoute(
  schema: ResourceSchema,
  options: { summary?: string; query?: readonly QueryParameterSpec[] } = {},
): MethodDecorator {
  return route({ operation: 'get', schema, ...options }, Get());
}

export function AddRoute(
  schema: ResourceSchema,
  options: { summary?: string; runsJob?: boolean } = {},
): MethodDecorator {
  return route({ operation: 'add', schema, ...options }, Post());
}

export function UpdateRoute(schema: ResourceSchema, options: { summary?: string } = {}): MethodDecorator {
  return route({ operation: 'update', schema, ...options }, Put(`:${RESOURCE_ID_PARAM}`));
}

export function RemoveRoute(
  schema: ResourceSchema,
  options: { summary?: string; query?: readonly QueryParameterSpec[]; runsJob?: boolean } = {},
): MethodDecorator {
  return route({ operation: 'remove', schema, ...options }, Delete(`:${RESOURCE_ID_PARAM}`));
}

export function ApiRootRoute(): MethodDecorator {
  return route({ operation: 'api_root' }, Get());
}

/**
 * A collection below a resource, e.g. `jobs/:job/steps`: no link in the API root; the parent ids are
 * path parameters of every route, which the handlers read with `@Param(name)`.
 */
export function OvirtSubCollection(path: string): ClassDecorator {
  return Controller(`${API_ROOT.slice(1)}/${path}`);
}

export function ActionRoute(
  resource: ResourceSchema,
  action: string,
  schema: ActionSchema,
  options: { runsJob: boolean; asyncByDefault?: boolean; summary?: string; description?: string },
): MethodDecorator {
  if (!resource.actions.includes(action)) {
    throw new Error(`${resource.type} does not list the action ${action}`);
  }
  return route({ operation: 'action', resource, action, schema, ...options }, Post(`:${RESOURCE_ID_PARAM}/${action}`));
}

/** Describes a route of a plain Nest controller (`@Get()`, `@Post()`) in the OpenAPI document. */
export function DescribedRoute(spec: DescribedRouteSpec): MethodDecorator {
  return SetMetadata(DESCRIBED_ROUTE, spec);
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

/** The action's own parameters (the envelope's `async` is taken out into the caller). */
export type ActionParams<S extends ActionSchema> = Omit<CreateInputOf<S>, 'async'>;

/** Who asked: recorded on the jobs and events a request writes. */
export interface Caller {
  readonly correlationId: string | null;
  readonly userId: string | null;
}

function callerOf(req: Request): Caller {
  return {
    correlationId: (req as Partial<CorrelatedRequest>).correlationId ?? null,
    userId: (req as AuthenticatedRequest).principal?.id ?? null,
  };
}

/** The request's correlation id and authenticated user: `add(@RequestCaller() caller: Caller)`. */
export const RequestCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller =>
  callerOf(ctx.switchToHttp().getRequest<Request>()),
);

/** Who asked, and how: what every action hands to the job it submits. */
export interface ActionCall extends Caller {
  /** `async` in the body or query, or `Expect: 202-accepted`; undefined = the action's default. */
  readonly async?: boolean;
}

export interface ActionInput<S extends ActionSchema = ActionSchema> {
  readonly params: ActionParams<S>;
  readonly call: ActionCall;
}

/** What an action handler returns; the interceptor renders the envelope and picks the HTTP status. */
export interface ActionReply {
  readonly status: ActionStatus;
  readonly job?: RefView;
  /** For `failed`: what went wrong, and the HTTP status it is answered with (409, 502, 504, 500). */
  readonly fault?: { readonly reason: string; readonly detail: string; readonly httpStatus: number };
  /** Echoed in the envelope (oVirt echoes the request's parameters). */
  readonly params?: Readonly<Record<string, unknown>>;
}

function expectsAccepted(req: Request): boolean {
  const expect = req.header('expect');
  return expect !== undefined && expect.split(',').some((e) => e.trim().toLowerCase() === '202-accepted');
}

/**
 * The decoded `<action>` body of an @ActionRoute, with the boolean parameters also accepted as query
 * parameters (`?force=true&async=true`, oVirt style; the body wins when both are given).
 */
export const ActionInputParam = createParamDecorator((_: unknown, ctx: ExecutionContext): ActionInput => {
  const spec = Reflect.getMetadata(OVIRT_ROUTE, ctx.getHandler()) as OvirtRouteSpec | undefined;
  if (spec?.operation !== 'action') {
    throw new Error('@ActionInputParam() is only for handlers decorated with @ActionRoute()');
  }
  const req = ctx.switchToHttp().getRequest<Request>();
  const body = readRequestBody(req, spec.schema, 'action') as Record<string, unknown>;
  const fromQuery: Record<string, boolean> = {};
  for (const [name, field] of Object.entries(spec.schema.fields)) {
    if (field.kind === 'bool' && !field.readOnly && req.query[name] !== undefined)
      fromQuery[name] = booleanParam(req.query, name, false);
  }
  const { async: asyncParam, ...params } = { ...fromQuery, ...body };
  if (asyncParam === false && expectsAccepted(req)) {
    throw OvirtFault.badRequest('async=false contradicts Expect: 202-accepted');
  }
  return {
    params: params as ActionParams<ActionSchema>,
    call: { ...callerOf(req), async: expectsAccepted(req) ? true : (asyncParam as boolean | undefined) },
  };
});
