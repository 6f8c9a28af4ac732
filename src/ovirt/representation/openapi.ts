import { REF_ID, REF_NAME_MAX } from './decode';
import {
  FaultSchema,
  INT32_MAX,
  INT32_MIN,
  IntegerField,
  ListField,
  ListItem,
  ObjectField,
  pascalCase,
  RefField,
  ResourceSchema,
  RootSchema,
  StringField,
  type ActionSchema,
  type Field,
} from './schema';

/**
 * OpenAPI 3.0 schema objects derived from the representation schemas. XML and JSON differ (dates,
 * collections, lists, attributes), so every type gets both variants:
 *
 *   Cluster / ClusterXml                responses
 *   Clusters / ClustersXml              collections
 *   ClusterCreate / ClusterCreateXml    POST bodies (no readOnly fields; required ones listed)
 *   ClusterUpdate / ClusterUpdateXml    PUT bodies (nothing required)
 *   Action / ActionXml, ActionRequest / ActionRequestXml, Fault / FaultXml
 *
 * Nested objects are inlined; collections refer to their item with `#/components/schemas/<Name>`.
 */
export interface OpenApiSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  enum?: string[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  nullable?: boolean;
  readOnly?: boolean;
  writeOnly?: boolean;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  anyOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  additionalProperties?: OpenApiSchema | boolean;
  items?: OpenApiSchema;
  xml?: { name?: string; attribute?: boolean; wrapped?: boolean };
  $ref?: string;
}

export type OpenApiSchemas = Record<string, OpenApiSchema>;

type Variant = 'response' | 'create' | 'update';
interface Style {
  readonly xml: boolean;
  readonly variant: Variant;
}

const REF_PREFIX = '#/components/schemas/';

function attribute(xml: boolean, description: string): OpenApiSchema {
  return { type: 'string', description, ...(xml ? { xml: { attribute: true } } : {}) };
}

function linkSchema(xml: boolean): OpenApiSchema {
  return {
    type: 'object',
    properties: { rel: attribute(xml, 'relation'), href: attribute(xml, 'URL') },
    required: ['rel', 'href'],
    ...(xml ? { xml: { name: 'link' } } : {}),
  };
}

function links(xml: boolean, description: string, rels: readonly string[]): OpenApiSchema {
  const item = linkSchema(xml);
  if (rels.length > 0 && item.properties) {
    item.properties.rel = { ...item.properties.rel, enum: [...rels] };
  }
  // XML: repeated <link> elements, no wrapper.
  return { type: 'array', description, items: item };
}

function objectSchema(schema: RootSchema, style: Style, xmlName: string | undefined): OpenApiSchema {
  const properties: Record<string, OpenApiSchema> = {};
  const required: string[] = [];
  const isResource = schema.kind === 'resource';
  if (isResource && style.variant === 'response') {
    properties.id = attribute(style.xml, 'identifier');
    properties.href = attribute(style.xml, 'URL of this object');
    if (schema.actions.length > 0) {
      properties.actions = {
        type: 'object',
        description: 'available actions: POST an <action> to the link',
        properties: { link: links(style.xml, 'one link per action', schema.actions) },
      };
    }
  }
  for (const name of schema.order) {
    const field = schema.fields[name];
    if ((style.variant === 'response' && field.writeOnly) || (style.variant !== 'response' && field.readOnly)) {
      continue;
    }
    properties[name] = fieldProperty(field, name, style);
    const requiredHere = !field.optional || (field.requiredInCreate === true && style.variant === 'create');
    if (requiredHere && style.variant !== 'update') {
      required.push(name);
    }
  }
  if (isResource && style.variant === 'response' && schema.links.length > 0) {
    properties.link = links(style.xml, 'sub-collections', schema.links);
  }
  return {
    type: 'object',
    ...(schema.description !== undefined ? { description: schema.description } : {}),
    properties,
    ...(required.length > 0 ? { required } : {}),
    ...(style.xml && xmlName !== undefined ? { xml: { name: xmlName } } : {}),
  };
}

/** A field's schema with its description and its readOnly / writeOnly / nullable marks. */
function fieldProperty(field: Field, name: string, style: Style): OpenApiSchema {
  const property = fieldSchema(field, name, style);
  const description = [
    field.description,
    field.kind === 'string' && field.patternDescription ? `Must be ${field.patternDescription}.` : undefined,
  ]
    .filter((d) => d !== undefined)
    .join(' ');
  if (description !== '') property.description = description;
  if (style.variant === 'response' && field.readOnly) property.readOnly = true;
  if (style.variant !== 'response' && field.writeOnly) property.writeOnly = true;
  if (style.variant === 'update' && field.optional && !style.xml) property.nullable = true;
  return property;
}

function fieldSchema(field: ListItem, name: string, style: Style): OpenApiSchema {
  switch (field.kind) {
    case 'string':
      return stringSchema(field);
    case 'int':
    case 'long':
      return integerSchema(field);
    case 'bool':
      return { type: 'boolean' };
    case 'date':
      return style.xml
        ? { type: 'string', format: 'date-time', description: 'ISO 8601 with offset' }
        : { type: 'integer', format: 'int64', description: 'epoch milliseconds' };
    case 'enum':
      return { type: 'string', enum: [...field.values] };
    case 'ref':
      return refSchema(field, style);
    case 'object':
    case 'resource':
      return objectSchema(field, style, undefined);
    case 'list':
      return listSchema(field, name, style);
  }
}

function stringSchema(field: StringField): OpenApiSchema {
  return {
    type: 'string',
    ...(field.minLength !== undefined ? { minLength: field.minLength } : {}),
    ...(field.maxLength !== undefined ? { maxLength: field.maxLength } : {}),
    ...(field.pattern ? { pattern: field.pattern.source } : {}),
    ...(field.values ? { enum: [...field.values] } : {}),
  };
}

function integerSchema(field: IntegerField): OpenApiSchema {
  // The kind's own bounds are implied by the format; only narrower ones are spelled out.
  const [lo, hi] = field.kind === 'int' ? [INT32_MIN, INT32_MAX] : [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
  return {
    type: 'integer',
    format: field.kind === 'int' ? 'int32' : 'int64',
    ...(field.min !== lo ? { minimum: field.min } : {}),
    ...(field.max !== hi ? { maximum: field.max } : {}),
  };
}

/**
 * `{id, href}` in responses; `{id}` or `{name}` in request bodies, as the decoder takes them: one of the
 * two must be there (an empty reference is a 400), the id a UUID; `byId` references take the id only.
 */
function refSchema(field: RefField, style: Style): OpenApiSchema {
  const { xml } = style;
  if (style.variant === 'response') {
    return {
      type: 'object',
      description: `reference to a ${field.type}`,
      properties: { id: attribute(xml, 'identifier'), href: attribute(xml, 'URL') },
      required: ['id'],
    };
  }
  const id: OpenApiSchema = { ...attribute(xml, 'identifier'), pattern: REF_ID.source };
  if (field.byId === true) {
    return {
      type: 'object',
      description: `reference to a ${field.type}, by id`,
      properties: { id },
      required: ['id'],
    };
  }
  return {
    type: 'object',
    description: `reference to a ${field.type}, by id or by name`,
    properties: { id, name: { type: 'string', minLength: 1, maxLength: REF_NAME_MAX } },
    anyOf: [{ required: ['id'] }, { required: ['name'] }],
  };
}

function listSchema(field: ListField, name: string, style: Style): OpenApiSchema {
  // Lists are replaced whole, so their items are complete even in an update.
  const itemStyle: Style = style.variant === 'update' ? { ...style, variant: 'create' } : style;
  const item = fieldSchema(field.item, field.itemName, itemStyle);
  if (style.xml) {
    return {
      type: 'array',
      maxItems: field.maxItems,
      xml: { name, wrapped: true },
      items: { ...item, xml: { ...item.xml, name: field.itemName } },
    };
  }
  return {
    type: 'object',
    properties: { [field.itemName]: { type: 'array', maxItems: field.maxItems, items: item } },
    required: [field.itemName],
  };
}

/** 'cluster' -> 'Cluster'; 'georeplication_session' -> 'GeoreplicationSession'. */
export function schemaName(type: string): string {
  return pascalCase(type);
}

/** Response, collection, create and update schemas of a resource, JSON and XML. */
export function resourceOpenApi(schema: ResourceSchema): OpenApiSchemas {
  const name = schemaName(schema.type);
  const plural = schemaName(schema.plural);
  return {
    [name]: objectSchema(schema, { xml: false, variant: 'response' }, schema.type),
    [`${name}Xml`]: objectSchema(schema, { xml: true, variant: 'response' }, schema.type),
    [plural]: {
      type: 'object',
      properties: { [schema.type]: { type: 'array', items: { $ref: REF_PREFIX + name } } },
      required: [schema.type],
    },
    [`${plural}Xml`]: {
      type: 'array',
      xml: { name: schema.plural, wrapped: true },
      items: { $ref: `${REF_PREFIX}${name}Xml` },
    },
    [`${name}Create`]: objectSchema(schema, { xml: false, variant: 'create' }, schema.type),
    [`${name}CreateXml`]: objectSchema(schema, { xml: true, variant: 'create' }, schema.type),
    [`${name}Update`]: objectSchema(schema, { xml: false, variant: 'update' }, schema.type),
    [`${name}UpdateXml`]: objectSchema(schema, { xml: true, variant: 'update' }, schema.type),
  };
}

/** A root object that is only rendered (fault, api root): `<Name>` and `<Name>Xml`. */
export function objectOpenApi(schema: ObjectField, name = schemaName(schema.type)): OpenApiSchemas {
  return {
    [name]: objectSchema(schema, { xml: false, variant: 'response' }, schema.type),
    [`${name}Xml`]: objectSchema(schema, { xml: true, variant: 'response' }, schema.type),
  };
}

/** An action: the response envelope (`Action`, `ActionXml`) and the request body (`ActionRequest`, `ActionRequestXml`). */
export function actionOpenApi(schema: ActionSchema, name = 'Action'): OpenApiSchemas {
  return {
    ...objectOpenApi(schema, name),
    [`${name}Request`]: objectSchema(schema, { xml: false, variant: 'create' }, schema.type),
    [`${name}RequestXml`]: objectSchema(schema, { xml: true, variant: 'create' }, schema.type),
  };
}

/** `Fault` and `FaultXml`. */
export function faultOpenApi(): OpenApiSchemas {
  return objectOpenApi(FaultSchema);
}
