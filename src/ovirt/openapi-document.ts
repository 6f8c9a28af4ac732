import { apiRootSchema } from './api-root';
import { API_VERSION } from './api-paths';
import { followableFields } from './follow';
import { LARGEST_MAX, MAX_MAX } from './query';
import {
  actionOpenApi,
  actionSchema,
  faultOpenApi,
  OpenApiSchema,
  OpenApiSchemas,
  pascalCase,
  ResourceSchema,
  resourceOpenApi,
  schemaName,
} from './representation';
import { collectionsOf, DiscoveredRoute, servedTypes } from './route-discovery';
import { MAX_BODY_BYTES } from './request-body';
import { ActionRouteSpec, ApiRootRouteSpec, CrudRouteSpec, DescribedRouteSpec, RESOURCE_ID_PARAM } from './routes';
import { MAX_SEARCH_LENGTH, SearchSpec } from './search';

/**
 * The OpenAPI 3.0 document of the routes the application serves, built from the route decorators (what
 * each route is) and the representation schemas (what its bodies look like): the same facts the
 * interceptor renders by. Every response has an XML and a JSON schema; every error is a Fault.
 */
export interface OpenApiDocument {
  openapi: '3.0.3';
  info: { title: string; version: string; description: string; license: { name: string; url: string } };
  servers: { url: string; description: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, object>>;
  components: {
    schemas: OpenApiSchemas;
    parameters: Record<string, object>;
    responses: Record<string, object>;
    headers: Record<string, object>;
    securitySchemes?: Record<string, object>;
  };
  security?: Record<string, string[]>[];
}

export interface DocumentInfo {
  readonly title: string;
  readonly version: string;
  readonly description: string;
}

const ref = (kind: 'schemas' | 'parameters' | 'responses' | 'headers', name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

function content(name: string): object {
  return {
    'application/xml': { schema: ref('schemas', `${name}Xml`) },
    'application/json': { schema: ref('schemas', name) },
  };
}

const FAULT_RESPONSES: Record<number, [string, string]> = {
  400: [
    'BadRequest',
    'The request is not valid: a malformed or invalid body, a bad query parameter or an unsupported Version.',
  ],
  404: [
    'NotFound',
    'The object does not exist, or the one the path names as its parent (e.g. the cluster of `/clusters/{cluster}/glustervolumes`), or one the body refers to.',
  ],
  409: ['Conflict', 'The request conflicts with the current state, e.g. a name that is already in use.'],
  413: ['PayloadTooLarge', `The body is larger than ${MAX_BODY_BYTES} bytes.`],
  415: ['UnsupportedMediaType', 'The body is neither application/xml nor application/json in UTF-8.'],
  417: [
    'ExpectationFailed',
    'The Expect header asks for something other than `100-continue` or `202-accepted`; nothing was done.',
  ],
  429: [
    'TooManyRequests',
    'Too many failed logins for this user name or from this address: every login is refused until the window ends ' +
      '(Retry-After says when). For an operation that queues a job, also: too many actions are already queued on ' +
      'this object; try again when some have finished.',
  ],
  503: [
    'ServiceUnavailable',
    'A service the request depends on is not reachable: the database, or the job queue (then no job was started); ' +
      'or too many password checks are running at once (Retry-After says when to try again).',
  ],
  500: ['InternalServerError', 'An unexpected error; it was logged under the correlation id the detail names.'],
};

/** The standard parameters operations refer to by `#/components/parameters/<Name>`. */
const PARAMETERS: Record<string, object> = {
  Version: {
    name: 'Version',
    in: 'header',
    description: `The API version; only ${API_VERSION} exists (also selected by the path prefix /ovirt-engine/api/v${API_VERSION}). Any other version is a 400.`,
    schema: { type: 'string', enum: [API_VERSION] },
  },
  CorrelationId: {
    name: 'Correlation-Id',
    in: 'header',
    description:
      'Echoed in the response and recorded on jobs and events; one is made when none (or a malformed one) is sent.',
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
  },
  Id: { name: 'id', in: 'path', required: true, description: 'The id of the object.', schema: { type: 'string' } },
  Max: {
    name: 'max',
    in: 'query',
    description: `At most this many items; -1 (the default) for all. More than ${MAX_MAX} counts as ${MAX_MAX}.`,
    schema: { type: 'integer', format: 'int32', minimum: -1, maximum: LARGEST_MAX },
  },
  CaseSensitive: {
    name: 'case_sensitive',
    in: 'query',
    description: 'Whether search matches text case-sensitively (default true). Also t/f, y/n, yes/no, 1/0.',
    schema: { type: 'boolean' },
  },
  AllContent: {
    name: 'All-Content',
    in: 'header',
    description:
      'Asks for data that is expensive to get (oVirt convention). Accepted on every GET; the current resources have no such data. Also t/f, y/n, yes/no, 1/0.',
    schema: { type: 'boolean' },
  },
  Expect: {
    name: 'Expect',
    in: 'header',
    description: '`202-accepted` answers 202 at once with the job (the same as `async=true`).',
    schema: { type: 'string', enum: ['202-accepted'] },
  },
  AllContentQuery: {
    name: 'all_content',
    in: 'query',
    description: 'The All-Content header as a query parameter.',
    schema: { type: 'boolean' },
  },
};

const HEADERS: Record<string, object> = {
  CorrelationId: {
    description: "The request's Correlation-Id, or the one the server made.",
    schema: { type: 'string' },
  },
  Location: { description: 'The href of the new object.', schema: { type: 'string' } },
  RetryAfter: { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 0 } },
};

/** Faults that may come with Retry-After. */
const RETRY_AFTER_CODES: ReadonlySet<number> = new Set([429, 503]);

/** A response that is a Fault, with the Correlation-Id header (and Retry-After, for 429 and 503). */
export function faultResponse(description: string, retryAfter = false): object {
  return {
    description,
    headers: {
      'Correlation-Id': ref('headers', 'CorrelationId'),
      ...(retryAfter ? { 'Retry-After': ref('headers', 'RetryAfter') } : {}),
    },
    content: content('Fault'),
  };
}

/**
 * What the HTTP server answers, before any route, to a request it cannot read in full (http-server.ts): an
 * XML fault whatever the Accept, and the connection closed.
 */
const CONNECTION_FAULTS: Record<number, [string, string]> = {
  408: [
    'RequestTimeout',
    "The request did not arrive in time (Node's limits: the headers within 60 s, the whole request within 300 s); the connection is closed. Always XML.",
  ],
  431: [
    'RequestHeaderFieldsTooLarge',
    "The request headers are larger than Node's limit (16 KiB in all); the connection is closed. Always XML.",
  ],
};

function components(): OpenApiDocument['components'] {
  const responses: Record<string, object> = {};
  for (const [code, [name, description]] of Object.entries(FAULT_RESPONSES)) {
    responses[name] = faultResponse(description, RETRY_AFTER_CODES.has(Number(code)));
  }
  for (const [name, description] of Object.values(CONNECTION_FAULTS)) {
    responses[name] = {
      description,
      headers: { 'Correlation-Id': ref('headers', 'CorrelationId') },
      content: { 'application/xml': { schema: ref('schemas', 'FaultXml') } },
    };
  }
  return { schemas: {}, parameters: { ...PARAMETERS }, responses, headers: { ...HEADERS } };
}

function searchParameter(spec: SearchSpec): object {
  const fields = Object.entries(spec.fields).map(([name, f]) => (f.values ? `${name} (${f.values.join(', ')})` : name));
  const compared = Object.entries(spec.fields)
    .filter(([, f]) => f.type === 'number' || f.type === 'date' || f.ordered)
    .map(([name]) => name);
  return {
    name: 'search',
    in: 'query',
    description:
      'Filter and order, oVirt style: `field=value` or `field!=value` clauses joined by `and`; `*` in a value matches any ' +
      'characters; values with spaces in double quotes; optionally `sortby <field> [asc|desc]` at the end. ' +
      (compared.length > 0
        ? `${compared.join(', ')} also take <, <=, > and >= (dates in ISO 8601 with an offset). `
        : '') +
      `Fields: ${fields.join(', ')}. Without sortby the order is by ${spec.defaultSort}${spec.defaultDescending ? ', largest first' : ''}.`,
    schema: { type: 'string', maxLength: MAX_SEARCH_LENGTH },
    example: searchExample(spec),
  };
}

/**
 * A search the list accepts, for Swagger UI to pre-fill: a wildcard on a text field (else the first value of
 * an enum, else a number compared), sorted by the default field, largest first.
 */
export function searchExample(spec: SearchSpec): string {
  const fields = Object.entries(spec.fields);
  const text = fields.find(([, f]) => (f.type ?? 'text') === 'text' && f.values === undefined);
  const enumerated = fields.find(([, f]) => f.values !== undefined && f.values.length > 0);
  const numeric = fields.find(([, f]) => f.type === 'number');
  const clause = text
    ? `${text[0]}=a*`
    : enumerated
      ? `${enumerated[0]}=${enumerated[1].values?.[0]}`
      : numeric
        ? `${numeric[0]}>=0`
        : undefined;
  const sort = `sortby ${spec.defaultSort} desc`;
  return clause === undefined ? sort : `${clause} ${sort}`;
}

function followParameter(fields: readonly string[]): object {
  return {
    name: 'follow',
    in: 'query',
    description: `Comma-separated references to inline: the referenced object is shown whole in place of its id and href. Possible: ${fields.join(', ')}.`,
    schema: { type: 'string' },
  };
}

function responses(codes: readonly number[], success: Record<string, object>): Record<string, object> {
  const out: Record<string, object> = { ...success };
  for (const code of codes) out[String(code)] = ref('responses', FAULT_RESPONSES[code][0]);
  return out;
}

const CORRELATION = { 'Correlation-Id': ref('headers', 'CorrelationId') };

function hasReferences(schema: ResourceSchema): boolean {
  return Object.values(schema.fields).some((f) => f.kind === 'ref' && !f.readOnly);
}

/** The path parameters of a route: `{id}` is the object itself, any other is the id of a parent. */
function pathParameters(path: string): object[] {
  return [...path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map(([, name]) =>
    name === RESOURCE_ID_PARAM
      ? ref('parameters', 'Id')
      : {
          name,
          in: 'path',
          required: true,
          description: `The id of the ${name.replace(/_/g, ' ')} this collection belongs to.`,
          schema: { type: 'string' },
        },
  );
}

function queryParameters(spec: CrudRouteSpec): object[] {
  return (spec.query ?? []).map((q) => ({
    name: q.name,
    in: 'query',
    description: q.description,
    schema: {
      type: q.type,
      ...(q.format !== undefined ? { format: q.format } : {}),
      ...(q.minimum !== undefined ? { minimum: q.minimum } : {}),
      ...(q.maximum !== undefined ? { maximum: q.maximum } : {}),
    },
  }));
}

/** Whether a route sits below another object (`/clusters/{cluster}/glustervolumes`): a missing parent is a 404. */
function hasParent(path: string): boolean {
  return [...path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].some(([, name]) => name !== RESOURCE_ID_PARAM);
}

/** 202 of an add or remove that runs as a job and outlasted the wait. */
function stillRunning(what: string): Record<string, object> {
  return {
    '202': {
      description: `The job ${what} is still queued or running (\`status\` pending or in_progress): follow the job.`,
      headers: CORRELATION,
      content: content('JobAction'),
    },
  };
}

/** What every operation of one CRUD route shares: its type name, tag and standard parameters. */
interface CrudContext {
  readonly spec: CrudRouteSpec;
  readonly schema: ResourceSchema;
  readonly type: string;
  readonly tags: string[];
  /** Path parameters, Version and Correlation-Id. */
  readonly common: object[];
  /** follow (when the type has followable references) and All-Content, for reads. */
  readonly reading: object[];
}

function crudContext(route: DiscoveredRoute, spec: CrudRouteSpec, served: ReadonlySet<string>): CrudContext {
  const { schema } = spec;
  const follow = followableFields(schema, served);
  return {
    spec,
    schema,
    type: schemaName(schema.type),
    tags: [route.collection ?? schema.plural],
    common: [...pathParameters(route.path), ref('parameters', 'Version'), ref('parameters', 'CorrelationId')],
    reading: [
      ...(follow.length > 0 ? [followParameter(follow)] : []),
      ref('parameters', 'AllContent'),
      ref('parameters', 'AllContentQuery'),
    ],
  };
}

function okResponse(description: string, name: string): Record<string, object> {
  return { '200': { description, headers: CORRELATION, content: content(name) } };
}

function requestBody(c: CrudContext, variant: 'Create' | 'Update'): object {
  return { required: true, content: content(`${c.type}${variant}`) };
}

function crudOperation(route: DiscoveredRoute, spec: CrudRouteSpec, served: ReadonlySet<string>): object {
  const c = crudContext(route, spec, served);
  switch (spec.operation) {
    case 'list':
      return listOperation(c);
    case 'get':
      return getOperation(c);
    case 'add':
      return addOperation(c);
    case 'update':
      return updateOperation(c);
    case 'remove':
      return removeOperation(c);
  }
}

function listOperation({ spec, schema, tags, common, reading }: CrudContext): object {
  return {
    operationId: `list${schemaName(schema.plural)}`,
    summary: spec.summary ?? `List ${schema.plural}`,
    tags,
    parameters: [
      ...common,
      ref('parameters', 'Max'),
      searchParameter(spec.search as SearchSpec),
      ref('parameters', 'CaseSensitive'),
      ...queryParameters(spec),
      ...reading,
    ],
    responses: responses([400, 500], okResponse(`The ${schema.plural}.`, schemaName(schema.plural))),
  };
}

function getOperation({ spec, schema, type, tags, common, reading }: CrudContext): object {
  return {
    operationId: `get${type}`,
    summary: spec.summary ?? `Get a ${schema.type}`,
    tags,
    parameters: [...common, ...reading],
    responses: responses([400, 404, 500], okResponse(`The ${schema.type}.`, type)),
  };
}

function addOperation(c: CrudContext): object {
  const { spec, schema, type } = c;
  return {
    operationId: `add${type}`,
    summary: spec.summary ?? `Add a ${schema.type}`,
    tags: c.tags,
    parameters: c.common,
    requestBody: requestBody(c, 'Create'),
    responses: responses(hasReferences(schema) ? [400, 404, 409, 413, 415, 500] : [400, 409, 413, 415, 500], {
      '201': {
        description: `The new ${schema.type}.`,
        headers: { ...CORRELATION, Location: ref('headers', 'Location') },
        content: content(type),
      },
      ...(spec.runsJob ? stillRunning(`adding the ${schema.type.replace(/_/g, ' ')}`) : {}),
    }),
  };
}

function updateOperation(c: CrudContext): object {
  const { spec, schema, type } = c;
  return {
    operationId: `update${type}`,
    summary: spec.summary ?? `Update a ${schema.type}`,
    description: 'Only the fields given change.',
    tags: c.tags,
    parameters: c.common,
    requestBody: requestBody(c, 'Update'),
    responses: responses([400, 404, 409, 413, 415, 500], okResponse(`The ${schema.type} as it is now.`, type)),
  };
}

function removeOperation({ spec, schema, type, tags, common }: CrudContext): object {
  return {
    operationId: `remove${type}`,
    summary: spec.summary ?? `Remove a ${schema.type}`,
    tags,
    parameters: [...common, ...queryParameters(spec)],
    responses: responses(spec.runsJob ? [400, 404, 409, 429, 500, 503] : [400, 404, 409, 500], {
      '200': { description: 'Removed; no body.', headers: CORRELATION },
      ...(spec.runsJob ? stillRunning(`removing the ${schema.type.replace(/_/g, ' ')}`) : {}),
    }),
  };
}

/** The schema name of an action's envelope: `ClusterRefreshJob`. */
export function actionSchemaName(spec: ActionRouteSpec): string {
  return `${schemaName(spec.resource.type)}${pascalCase(spec.action)}Action`;
}

/** Boolean fields of the action's body may also be given as query parameters. */
function actionFlagParameters(spec: ActionRouteSpec): object[] {
  return Object.entries(spec.schema.fields)
    .filter(([, f]) => f.kind === 'bool' && !f.readOnly)
    .map(([flag, f]) => ({
      name: flag,
      in: 'query',
      description: `${f.description ?? flag} (the body wins when both are given).`,
      schema: { type: 'boolean' },
    }));
}

/** The success responses of an action and the fault codes it may answer. */
function actionResponses(spec: ActionRouteSpec, name: string): Record<string, object> {
  const envelope = (description: string) => ({ description, headers: CORRELATION, content: content(name) });
  const success: Record<string, object> = { '200': envelope('Done: `status` complete, with the job that ran it.') };
  if (!spec.runsJob) {
    return responses([400, 404, 409, 413, 415, 500], success);
  }
  const waitNote = spec.asyncByDefault ? 'By default (long work), or when' : 'When';
  success['202'] = envelope(
    `${waitNote} \`async\` is true, \`Expect: 202-accepted\` is sent or the wait limit passed: \`status\` pending (queued) or in_progress (running); follow the job.`,
  );
  success['409'] = {
    description:
      'Refused before it started (a bare fault: a state rule, or another operation holds the object), or refused by gluster while it ran (the envelope with `status` failed and the fault).',
    headers: CORRELATION,
    content: {
      'application/xml': { schema: { oneOf: [ref('schemas', `${name}Xml`), ref('schemas', 'FaultXml')] } },
      'application/json': { schema: { oneOf: [ref('schemas', name), ref('schemas', 'Fault')] } },
    },
  };
  success['502'] = envelope(
    'The job failed because no host of the cluster could be reached: `status` failed with the fault.',
  );
  success['504'] = envelope('The job failed because the remote command timed out: `status` failed with the fault.');
  return responses([400, 404, 413, 415, 429, 500, 503], success);
}

function actionOperation(route: DiscoveredRoute, spec: ActionRouteSpec): object {
  const name = actionSchemaName(spec);
  const type = schemaName(spec.resource.type);
  return {
    operationId: `${spec.action.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())}${type}`,
    summary: spec.summary ?? `${pascalCase(spec.action)} a ${spec.resource.type.replace(/_/g, ' ')}`,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [route.collection ?? spec.resource.plural],
    parameters: [
      ...pathParameters(route.path),
      ref('parameters', 'Version'),
      ref('parameters', 'CorrelationId'),
      ...actionFlagParameters(spec),
      ...(spec.runsJob ? [ref('parameters', 'Expect')] : []),
    ],
    requestBody: {
      required: false,
      description: 'The `<action>` envelope; may be empty (`<action/>` or no body).',
      content: content(`${name}Request`),
    },
    responses: actionResponses(spec, name),
  };
}

/** `/clusters/:id` -> `/clusters/{id}` */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    value.forEach((v) => collectRefs(v, into));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') into.add(v);
      else collectRefs(v, into);
    }
  }
}

/** Only the schemas some operation uses, directly or through another schema. */
function usedSchemas(all: OpenApiSchemas, paths: object): OpenApiSchemas {
  const refs = new Set<string>();
  collectRefs(paths, refs);
  collectRefs(components().responses, refs);
  const used: OpenApiSchemas = {};
  const prefix = '#/components/schemas/';
  const queue = [...refs].filter((r) => r.startsWith(prefix)).map((r) => r.slice(prefix.length));
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (used[name] !== undefined || all[name] === undefined) continue;
    used[name] = all[name];
    const inner = new Set<string>();
    collectRefs(all[name], inner);
    queue.push(...[...inner].filter((r) => r.startsWith(prefix)).map((r) => r.slice(prefix.length)));
  }
  return Object.fromEntries(
    Object.keys(all)
      .filter((n) => used[n] !== undefined)
      .map((n) => [n, all[n]]),
  );
}

function apiRootSchemas(collections: readonly string[]): OpenApiSchemas {
  const all = resourceOpenApi(apiRootSchema(collections));
  const strip = (s: OpenApiSchema): OpenApiSchema => {
    // The root has no id or href of its own.
    const { id: _id, href: _href, ...properties } = s.properties ?? {};
    return { ...s, properties };
  };
  return { Api: strip(all.Api), ApiXml: strip(all.ApiXml) };
}

export function buildOpenApiDocument(routes: readonly DiscoveredRoute[], info: DocumentInfo): OpenApiDocument {
  const documented = routes.filter((r) => !r.excluded);
  refuseUndescribedRoutes(documented);
  const builder = new DocumentBuilder(info, documented);
  for (const route of documented) {
    builder.addRoute(route);
  }
  const doc = builder.finish();
  addSecurity(doc, documented);
  addServerFaults(doc);
  return doc;
}

/**
 * Answers any operation may give before it is routed: an Expect header it cannot meet (417), and a request
 * the server could not read in time (408) or whose headers are too large (431).
 */
function addServerFaults(doc: OpenApiDocument): void {
  const faults = {
    '408': ref('responses', CONNECTION_FAULTS[408][0]),
    '417': ref('responses', FAULT_RESPONSES[417][0]),
    '431': ref('responses', CONNECTION_FAULTS[431][0]),
  };
  for (const item of Object.values(doc.paths)) {
    for (const operation of Object.values(item) as { responses: Record<string, object> }[]) {
      operation.responses = sortedByCode({ ...operation.responses, ...faults });
    }
  }
}

function refuseUndescribedRoutes(documented: readonly DiscoveredRoute[]): void {
  const undescribed = documented.filter((r) => r.spec === undefined && r.described === undefined);
  if (undescribed.length > 0) {
    throw new Error(
      `routes without an OpenAPI description: ${undescribed.map((r) => `${r.method} ${r.path} (${r.source})`).join(', ')}; ` +
        'use the route decorators of src/ovirt/routes.ts (@DescribedRoute() for routes that serve no oVirt representation), ' +
        'or @ApiExcludeController() for routes outside the API',
    );
  }
}

/** The document as routes are added: their operations, and every schema they may refer to. */
class DocumentBuilder {
  private readonly doc: OpenApiDocument;
  private readonly served: ReadonlySet<string>;
  private readonly schemas: OpenApiSchemas;
  private readonly byType = new Map<string, ResourceSchema>();
  private readonly actionNames = new Set<string>();

  constructor(info: DocumentInfo, documented: readonly DiscoveredRoute[]) {
    const collections = collectionsOf(documented);
    this.served = servedTypes(documented);
    this.doc = {
      openapi: '3.0.3',
      info: { ...info, license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' } },
      servers: [{ url: '/', description: 'this server' }],
      tags: [{ name: 'api', description: 'The API root.' }],
      paths: {},
      components: components(),
    };
    this.schemas = {
      ...faultOpenApi(),
      ...apiRootSchemas(collections),
      ...actionOpenApi(actionSchema(), 'JobAction'),
    };
  }

  addRoute(route: DiscoveredRoute): void {
    const operation = this.operation(route);
    if (operation === undefined) return;
    const path = openApiPath(route.path);
    this.doc.paths[path] ??= {};
    this.doc.paths[path][route.method.toLowerCase()] = hasParent(route.path)
      ? withParentNotFound(operation)
      : operation;
  }

  finish(): OpenApiDocument {
    this.doc.components.schemas = usedSchemas(this.schemas, this.doc.paths);
    const used = new Set(
      Object.values(this.doc.paths).flatMap((item) => Object.values(item).flatMap((op) => (op as OperationTags).tags)),
    );
    const undefinedTags = [...used].filter((name) => !this.doc.tags.some((t) => t.name === name));
    if (undefinedTags.length > 0) throw new Error(`tags without a definition: ${undefinedTags.join(', ')}`);
    return this.doc;
  }

  private operation(route: DiscoveredRoute): object | undefined {
    const spec = route.spec;
    if (spec === undefined) {
      return route.described === undefined ? undefined : this.describedRoute(route, route.described);
    }
    if (spec.operation === 'api_root') return apiRootOperation(spec);
    if (spec.operation === 'action') return this.actionRoute(route, spec);
    return this.crudRoute(route, spec);
  }

  /** Defines a tag the first time an operation uses it. */
  private useTag(name: string, description: string): void {
    if (!this.doc.tags.some((t) => t.name === name)) this.doc.tags.push({ name, description });
  }

  private actionRoute(route: DiscoveredRoute, spec: ActionRouteSpec): object {
    const name = actionSchemaName(spec);
    if (this.actionNames.has(name)) throw new Error(`two routes describe the action ${name}`);
    this.actionNames.add(name);
    Object.assign(this.schemas, actionOpenApi(spec.schema, name));
    this.useTag(route.collection ?? spec.resource.plural, tagDescription(spec.resource));
    return actionOperation(route, spec);
  }

  private describedRoute(route: DiscoveredRoute, spec: DescribedRouteSpec): object {
    for (const [name, schema] of Object.entries(spec.schemas ?? {})) {
      const known = this.schemas[name];
      if (known !== undefined && JSON.stringify(known) !== JSON.stringify(schema)) {
        throw new Error(`two different schemas are called ${name} (${route.source})`);
      }
      this.schemas[name] = schema;
    }
    this.useTag(spec.tag.name, spec.tag.description);
    return describedOperation(route, spec);
  }

  private crudRoute(route: DiscoveredRoute, spec: CrudRouteSpec): object {
    const known = this.byType.get(spec.schema.type);
    if (known !== undefined && known !== spec.schema) {
      throw new Error(`two different schemas describe the type ${spec.schema.type}`);
    }
    if (known === undefined) {
      this.byType.set(spec.schema.type, spec.schema);
      Object.assign(this.schemas, resourceOpenApi(spec.schema));
    }
    this.useTag(route.collection ?? spec.schema.plural, tagDescription(spec.schema));
    return crudOperation(route, spec, this.served);
  }
}

interface OperationTags {
  readonly tags: readonly string[];
}

function tagDescription(schema: ResourceSchema): string {
  return schema.description ?? `${pascalCase(schema.plural).replace(/([a-z])([A-Z])/g, '$1 $2')}.`;
}

/** The operation with a 404 for the missing parent, when it has none yet. */
function withParentNotFound(operation: object): object {
  const { responses } = operation as { responses: Record<string, object> };
  if (responses['404'] !== undefined) return operation;
  return { ...operation, responses: sortedByCode({ ...responses, '404': ref('responses', FAULT_RESPONSES[404][0]) }) };
}

function sortedByCode(responses: Record<string, object>): Record<string, object> {
  return Object.fromEntries(
    Object.keys(responses)
      .sort()
      .map((code) => [code, responses[code]]),
  );
}

/**
 * A route that serves no oVirt representation, as its decorator describes it; Version (on /ovirt-engine
 * paths, which check it) and Correlation-Id are added, and the Correlation-Id header on every response.
 */
function describedOperation(route: DiscoveredRoute, spec: DescribedRouteSpec): object {
  const ovirtEngine = route.path.startsWith('/ovirt-engine/');
  const responses: Record<string, object> = {};
  for (const [code, response] of Object.entries(spec.responses)) {
    const { headers, ...rest } = response as { headers?: Record<string, object> };
    responses[code] = { ...rest, headers: { ...CORRELATION, ...headers } };
  }
  for (const code of spec.faults ?? []) responses[String(code)] = ref('responses', FAULT_RESPONSES[code][0]);
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    tags: [spec.tag.name],
    parameters: [
      ...(ovirtEngine ? [ref('parameters', 'Version')] : []),
      ref('parameters', 'CorrelationId'),
      ...(spec.parameters ?? []),
    ],
    ...(spec.requestBody !== undefined ? { requestBody: spec.requestBody } : {}),
    responses: sortedByCode(responses),
  };
}

function apiRootOperation(spec: ApiRootRouteSpec): object {
  return {
    operationId: 'getApi',
    summary: spec.summary ?? 'The API root',
    tags: ['api'],
    parameters: [ref('parameters', 'Version'), ref('parameters', 'CorrelationId')],
    responses: responses([400, 500], {
      '200': {
        description: 'Links to the collections, the product and the server time.',
        headers: CORRELATION,
        content: content('Api'),
      },
    }),
  };
}

const SECURITY_SCHEMES: Record<string, object> = {
  basic: {
    type: 'http',
    scheme: 'basic',
    description:
      'oVirt Basic: `user@domain:password`, e.g. `admin@internal`. Failed logins are limited per user name and per client ' +
      'address; beyond the limit every login answers 429 with Retry-After until the window ends.',
  },
  bearer: {
    type: 'http',
    scheme: 'bearer',
    description:
      'A token from `POST /ovirt-engine/sso/oauth/token` (form: grant_type=password, scope=ovirt-app-api, username, password; ' +
      'answer `{access_token, token_type, exp, scope}`); revoke it with `POST /ovirt-engine/services/sso-logout` (form: token).',
  },
};

/** The faults every protected operation may answer, by status code: [response name, description]. */
const AUTH_FAULTS: Record<string, [string, string]> = {
  '401': [
    'Unauthorized',
    'No credentials, wrong ones, or an expired or revoked token. Comes with `WWW-Authenticate: Basic realm="RESTAPI"`.',
  ],
  '403': [
    'Forbidden',
    "The user's role does not allow this: a viewer may only read, and only admins may see or change users.",
  ],
};

/**
 * The faults of checking credentials that every protected operation may answer besides 401 and 403: the
 * failed-login limit (429) and a server too busy checking passwords, or a database out of reach (503).
 */
const LOGIN_FAULT_CODES = [429, 503] as const;

/**
 * Authentication (DESIGN.md section 4): Basic or a bearer token from the SSO endpoint on every route
 * (global `security`), except public ones (`security: []`); every other operation may answer 401, 403
 * (unless any role may use it), 429 and 503.
 */
function addSecurity(doc: OpenApiDocument, routes: readonly DiscoveredRoute[]): void {
  doc.components.securitySchemes = { ...SECURITY_SCHEMES };
  doc.security = [{ basic: [] }, { bearer: [] }];
  for (const [, [name, description]] of Object.entries(AUTH_FAULTS)) {
    doc.components.responses[name] = faultResponse(description);
  }
  for (const route of routes) {
    const operation = doc.paths[openApiPath(route.path)]?.[route.method.toLowerCase()] as
      { responses?: Record<string, object>; security?: unknown } | undefined;
    if (operation === undefined) continue;
    const ownGuard = route.described?.ownGuard === true;
    if (route.isPublic && !ownGuard) {
      operation.security = [];
      continue;
    }
    operation.responses = withAuthFaults(operation.responses ?? {}, route.anyRole || ownGuard);
  }
}

/**
 * The responses plus 401, 403 (not for a route any role may use), 429 and 503, unless the operation
 * describes them itself, in the order of their codes.
 */
function withAuthFaults(responses: Record<string, object>, anyRole: boolean): Record<string, object> {
  const auth: [string, string][] = Object.entries(AUTH_FAULTS)
    .filter(([code]) => !(anyRole && code === '403'))
    .map(([code, [name]]) => [code, name]);
  const login: [string, string][] = LOGIN_FAULT_CODES.map((code) => [String(code), FAULT_RESPONSES[code][0]]);
  const added = Object.fromEntries(
    [...auth, ...login].map(([code, name]) => [code, responses[code] ?? ref('responses', name)]),
  );
  return sortedByCode({ ...responses, ...added });
}
