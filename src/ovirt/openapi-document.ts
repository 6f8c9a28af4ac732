import { apiRootSchema } from './api-root';
import { API_VERSION } from './api-paths';
import { followableFields } from './follow';
import { MAX_MAX } from './query';
import { faultOpenApi, OpenApiSchema, OpenApiSchemas, ResourceSchema, resourceOpenApi, schemaName } from './representation';
import { collectionsOf, DiscoveredRoute, servedTypes } from './route-discovery';
import { MAX_BODY_BYTES } from './request-body';
import { CrudRouteSpec } from './routes';
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
  };
}

export interface DocumentInfo {
  readonly title: string;
  readonly version: string;
  readonly description: string;
}

const ref = (kind: 'schemas' | 'parameters' | 'responses' | 'headers', name: string) => ({ $ref: `#/components/${kind}/${name}` });

function content(name: string): object {
  return {
    'application/xml': { schema: ref('schemas', `${name}Xml`) },
    'application/json': { schema: ref('schemas', name) },
  };
}

const FAULT_RESPONSES: Record<number, [string, string]> = {
  400: ['BadRequest', 'The request is not valid: a malformed or invalid body, a bad query parameter or an unsupported Version.'],
  404: ['NotFound', 'The object (or one the body refers to) does not exist.'],
  409: ['Conflict', 'The request conflicts with the current state, e.g. a name that is already in use.'],
  413: ['PayloadTooLarge', `The body is larger than ${MAX_BODY_BYTES} bytes.`],
  415: ['UnsupportedMediaType', 'The body is neither application/xml nor application/json in UTF-8.'],
  500: ['InternalServerError', 'An unexpected error; it was logged under the correlation id the detail names.'],
};

function components(): OpenApiDocument['components'] {
  const responses: Record<string, object> = {};
  for (const [, [name, description]] of Object.entries(FAULT_RESPONSES)) {
    responses[name] = { description, headers: { 'Correlation-Id': ref('headers', 'CorrelationId') }, content: content('Fault') };
  }
  return {
    schemas: {},
    parameters: {
      Version: {
        name: 'Version',
        in: 'header',
        description: `The API version; only ${API_VERSION} exists (also selected by the path prefix /ovirt-engine/api/v${API_VERSION}). Any other version is a 400.`,
        schema: { type: 'string', enum: [API_VERSION] },
      },
      CorrelationId: {
        name: 'Correlation-Id',
        in: 'header',
        description: 'Echoed in the response and recorded on jobs and events; one is made when none (or a malformed one) is sent.',
        schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
      },
      Id: { name: 'id', in: 'path', required: true, description: 'The id of the object.', schema: { type: 'string' } },
      Max: {
        name: 'max',
        in: 'query',
        description: `At most this many items; -1 (the default) for all. Capped at ${MAX_MAX}.`,
        schema: { type: 'integer', format: 'int32', minimum: -1 },
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
        description: 'Asks for data that is expensive to get (oVirt convention). Accepted on every GET; the current resources have no such data. Also t/f, y/n, yes/no, 1/0.',
        schema: { type: 'boolean' },
      },
      AllContentQuery: {
        name: 'all_content',
        in: 'query',
        description: 'The All-Content header as a query parameter.',
        schema: { type: 'boolean' },
      },
    },
    responses,
    headers: {
      CorrelationId: { description: 'The request\'s Correlation-Id, or the one the server made.', schema: { type: 'string' } },
      Location: { description: 'The href of the new object.', schema: { type: 'string' } },
    },
  };
}

function searchParameter(spec: SearchSpec): object {
  const fields = Object.entries(spec.fields).map(([name, f]) => (f.values ? `${name} (${f.values.join(', ')})` : name));
  return {
    name: 'search',
    in: 'query',
    description:
      'Filter and order, oVirt style: `field=value` or `field!=value` clauses joined by `and`; `*` in a value matches any ' +
      'characters; values with spaces in double quotes; optionally `sortby <field> [asc|desc]` at the end. ' +
      `Fields: ${fields.join(', ')}. Without sortby the order is by ${spec.defaultSort}.`,
    schema: { type: 'string', maxLength: MAX_SEARCH_LENGTH },
    example: `${Object.keys(spec.fields)[0]}=a* sortby ${spec.defaultSort} desc`,
  };
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

function crudOperation(route: DiscoveredRoute, spec: CrudRouteSpec, served: ReadonlySet<string>): object {
  const { schema } = spec;
  const type = schemaName(schema.type);
  const common = [ref('parameters', 'Version'), ref('parameters', 'CorrelationId')];
  const follow = followableFields(schema, served);
  const reading = [...(follow.length > 0 ? [followParameter(follow)] : []), ref('parameters', 'AllContent'), ref('parameters', 'AllContentQuery')];
  const body = (variant: 'Create' | 'Update') => ({ required: true, content: content(`${type}${variant}`) });
  const ok = (description: string, name = type) => ({ '200': { description, headers: CORRELATION, content: content(name) } });
  const tags = [route.collection ?? schema.plural];
  switch (spec.operation) {
    case 'list':
      return {
        operationId: `list${schemaName(schema.plural)}`,
        summary: spec.summary ?? `List ${schema.plural}`,
        tags,
        parameters: [...common, ref('parameters', 'Max'), searchParameter(spec.search as SearchSpec), ref('parameters', 'CaseSensitive'), ...reading],
        responses: responses([400, 500], ok(`The ${schema.plural}.`, schemaName(schema.plural))),
      };
    case 'get':
      return {
        operationId: `get${type}`,
        summary: spec.summary ?? `Get a ${schema.type}`,
        tags,
        parameters: [ref('parameters', 'Id'), ...common, ...reading],
        responses: responses([400, 404, 500], ok(`The ${schema.type}.`)),
      };
    case 'add':
      return {
        operationId: `add${type}`,
        summary: spec.summary ?? `Add a ${schema.type}`,
        tags,
        parameters: common,
        requestBody: body('Create'),
        responses: responses(hasReferences(schema) ? [400, 404, 409, 413, 415, 500] : [400, 409, 413, 415, 500], {
          '201': { description: `The new ${schema.type}.`, headers: { ...CORRELATION, Location: ref('headers', 'Location') }, content: content(type) },
        }),
      };
    case 'update':
      return {
        operationId: `update${type}`,
        summary: spec.summary ?? `Update a ${schema.type}`,
        description: 'Only the fields given change.',
        tags,
        parameters: [ref('parameters', 'Id'), ...common],
        requestBody: body('Update'),
        responses: responses([400, 404, 409, 413, 415, 500], ok(`The ${schema.type} as it is now.`)),
      };
    case 'remove':
      return {
        operationId: `remove${type}`,
        summary: spec.summary ?? `Remove a ${schema.type}`,
        tags,
        parameters: [ref('parameters', 'Id'), ...common],
        responses: responses([400, 404, 409, 500], { '200': { description: 'Removed; no body.', headers: CORRELATION } }),
      };
  }
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
  return Object.fromEntries(Object.keys(all).filter((n) => used[n] !== undefined).map((n) => [n, all[n]]));
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
  const undescribed = documented.filter((r) => r.spec === undefined);
  if (undescribed.length > 0) {
    throw new Error(
      `routes without an OpenAPI description: ${undescribed.map((r) => `${r.method} ${r.path} (${r.source})`).join(', ')}; ` +
        'use the route decorators of src/ovirt/routes.ts, or @ApiExcludeController() for routes outside the API',
    );
  }
  const collections = collectionsOf(documented);
  const served = servedTypes(documented);
  const doc: OpenApiDocument = {
    openapi: '3.0.3',
    info: { ...info, license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' } },
    servers: [{ url: '/', description: 'this server' }],
    tags: [{ name: 'api', description: 'The API root.' }],
    paths: {},
    components: components(),
  };
  const schemas: OpenApiSchemas = { ...faultOpenApi(), ...apiRootSchemas(collections) };
  const byType = new Map<string, ResourceSchema>();
  for (const route of documented) {
    const spec = route.spec;
    if (spec === undefined) continue;
    const path = openApiPath(route.path);
    doc.paths[path] ??= {};
    const method = route.method.toLowerCase();
    if (spec.operation === 'api_root') {
      doc.paths[path][method] = {
        operationId: 'getApi',
        summary: spec.summary ?? 'The API root',
        tags: ['api'],
        parameters: [ref('parameters', 'Version'), ref('parameters', 'CorrelationId')],
        responses: responses([400, 500], {
          '200': { description: 'Links to the collections, the product and the server time.', headers: CORRELATION, content: content('Api') },
        }),
      };
      continue;
    }
    const known = byType.get(spec.schema.type);
    if (known !== undefined && known !== spec.schema) {
      throw new Error(`two different schemas describe the type ${spec.schema.type}`);
    }
    if (known === undefined) {
      byType.set(spec.schema.type, spec.schema);
      Object.assign(schemas, resourceOpenApi(spec.schema));
    }
    if (route.collection !== undefined && !doc.tags.some((t) => t.name === route.collection)) {
      doc.tags.push({ name: route.collection, description: spec.schema.description ?? schemaName(route.collection) });
    }
    doc.paths[path][method] = crudOperation(route, spec, served);
  }
  doc.components.schemas = usedSchemas(schemas, doc.paths);
  return doc;
}
