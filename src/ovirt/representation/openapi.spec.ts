import { actionOpenApi, faultOpenApi, OpenApiSchema, resourceOpenApi, schemaName } from './openapi';
import { HostSchema, StartAction } from './sample.fixture';
import { REF_ID } from './decode';
import { int, ref, resource, str } from './schema';

const schemas = resourceOpenApi(HostSchema);

function prop(schema: OpenApiSchema, ...path: string[]): OpenApiSchema {
  return path.reduce<OpenApiSchema>((s, p) => {
    const next = p === '[]' ? s.items : s.properties?.[p];
    if (!next) throw new Error(`no ${p} in ${JSON.stringify(s)}`);
    return next;
  }, schema);
}

describe('resourceOpenApi', () => {
  it('names the schemas predictably', () => {
    expect(Object.keys(schemas)).toEqual([
      'Host',
      'HostXml',
      'Hosts',
      'HostsXml',
      'HostCreate',
      'HostCreateXml',
      'HostUpdate',
      'HostUpdateXml',
    ]);
    expect(schemaName('georeplication_session')).toBe('GeoreplicationSession');
    expect(
      Object.keys(resourceOpenApi(resource('georeplication_session', 'georeplication_sessions', { name: str() }))),
    ).toContain('GeoreplicationSessionsXml');
  });

  it('XML: id/href and link rel/href are attributes, nothing else is', () => {
    const xml = schemas.HostXml;
    expect(xml.xml).toEqual({ name: 'host' });
    expect(prop(xml, 'id').xml).toEqual({ attribute: true });
    expect(prop(xml, 'href').xml).toEqual({ attribute: true });
    expect(prop(xml, 'cluster', 'id').xml).toEqual({ attribute: true });
    expect(prop(xml, 'cluster', 'href').xml).toEqual({ attribute: true });
    expect(prop(xml, 'link', '[]', 'rel').xml).toEqual({ attribute: true });
    expect(prop(xml, 'link', '[]').xml).toEqual({ name: 'link' });
    expect(prop(xml, 'link').xml).toBeUndefined(); // repeated <link>, no wrapper
    expect(prop(xml, 'actions', 'link', '[]', 'href').xml).toEqual({ attribute: true });
    expect(prop(xml, 'actions', 'link', '[]', 'rel').enum).toEqual(['refresh', 'start']);
    expect(prop(xml, 'name').xml).toBeUndefined();
    expect(prop(xml, 'ssh', 'port').xml).toBeUndefined();
  });

  it('XML: lists are wrapped arrays of named items; dates are date-time strings', () => {
    expect(prop(schemas.HostXml, 'options')).toMatchObject({
      type: 'array',
      xml: { name: 'options', wrapped: true },
      items: { xml: { name: 'option' } },
    });
    expect(prop(schemas.HostXml, 'created')).toMatchObject({ type: 'string', format: 'date-time', readOnly: true });
    expect(schemas.HostsXml).toEqual({
      type: 'array',
      xml: { name: 'hosts', wrapped: true },
      items: { $ref: '#/components/schemas/HostXml' },
    });
  });

  it('JSON: dates are int64 epoch ms, lists are {item: [...]}, numbers and booleans are native', () => {
    const json = schemas.Host;
    expect(prop(json, 'created')).toMatchObject({ type: 'integer', format: 'int64', readOnly: true });
    expect(prop(json, 'options')).toMatchObject({
      type: 'object',
      required: ['option'],
      properties: { option: { type: 'array', maxItems: 5 } },
    });
    expect(prop(json, 'ssh', 'port')).toEqual({ type: 'integer', format: 'int32', minimum: 1, maximum: 65535 });
    expect(prop(json, 'size')).toEqual({ type: 'integer', format: 'int64' });
    expect(prop(json, 'gluster_service')).toEqual({ type: 'boolean' });
    expect(prop(json, 'actions', 'link').type).toBe('array');
    expect(json.xml).toBeUndefined();
    expect(JSON.stringify(json)).not.toContain('"attribute"');
    expect(schemas.Hosts).toEqual({
      type: 'object',
      properties: { host: { type: 'array', items: { $ref: '#/components/schemas/Host' } } },
      required: ['host'],
    });
  });

  it('responses: no writeOnly fields; required = the non-optional ones', () => {
    expect(schemas.Host.properties).not.toHaveProperty('root_password');
    expect(schemas.Host.required).toEqual(['name', 'address', 'cluster', 'status', 'ssh', 'created']);
    expect(prop(schemas.Host, 'name').description).toBe('Must be letters, digits, dots, dashes or underscores.');
    expect(prop(schemas.Host, 'name').pattern).toBe('^[A-Za-z0-9_.-]+$');
  });

  it('create bodies: no readOnly fields, writeOnly ones marked, references by id or name', () => {
    for (const create of [schemas.HostCreate, schemas.HostCreateXml]) {
      expect(Object.keys(create.properties ?? {})).toEqual([
        'name',
        'description',
        'address',
        'cluster',
        'ssh',
        'root_password',
        'options',
        'gluster_service',
        'last_seen',
        'size',
      ]);
      expect(create.required).toEqual(['name', 'address', 'cluster', 'ssh']);
      expect(prop(create, 'root_password').writeOnly).toBe(true);
      expect(Object.keys(prop(create, 'cluster').properties ?? {})).toEqual(['id', 'name']);
      expect(Object.keys(prop(create, 'ssh').properties ?? {})).toEqual(['port', 'user']);
    }
  });

  it('request references: an id (a UUID) or a name, never neither; byId ones the id only', () => {
    const schema = resource('thing', 'things', {
      cluster: ref('cluster'),
      host: ref('host', { optional: true, byId: true }),
      serial: int({ optional: true, requiredInCreate: true }),
    });
    const openApi = resourceOpenApi(schema);
    for (const variant of [openApi.ThingCreate, openApi.ThingUpdate, openApi.ThingCreateXml]) {
      const cluster = prop(variant, 'cluster');
      expect(cluster.anyOf).toEqual([{ required: ['id'] }, { required: ['name'] }]);
      expect(prop(cluster, 'id').pattern).toBe(REF_ID.source);
      expect([prop(cluster, 'name').minLength, prop(cluster, 'name').maxLength]).toEqual([1, 255]);
      const host = prop(variant, 'host');
      expect([host.required, Object.keys(host.properties ?? {})]).toEqual([['id'], ['id']]);
    }
    expect(prop(openApi.ThingCreateXml, 'cluster', 'id').xml).toEqual({ attribute: true });
    // Responses: {id, href}, whatever the input takes.
    expect(prop(openApi.Thing, 'cluster').anyOf).toBeUndefined();
    expect(Object.keys(prop(openApi.Thing, 'host').properties ?? {})).toEqual(['id', 'href']);
    // requiredInCreate: required to add, optional in responses and updates.
    expect(openApi.ThingCreate.required).toEqual(['cluster', 'serial']);
    expect(openApi.Thing.required).toEqual(['cluster']);
    expect(openApi.ThingUpdate.required).toBeUndefined();
  });

  it('update bodies: nothing required, optional fields nullable in JSON, list items complete', () => {
    expect(schemas.HostUpdate.required).toBeUndefined();
    expect(prop(schemas.HostUpdate, 'ssh').required).toBeUndefined();
    expect(prop(schemas.HostUpdate, 'description').nullable).toBe(true);
    expect(prop(schemas.HostUpdate, 'name').nullable).toBeUndefined();
    expect(prop(schemas.HostUpdate, 'options', 'option', '[]').required).toEqual(['name', 'value']);
    expect(prop(schemas.HostUpdateXml, 'description').nullable).toBeUndefined();
  });
});

describe('action and fault schemas', () => {
  const action = actionOpenApi(StartAction);

  it('describes the envelope and the request body', () => {
    expect(Object.keys(action)).toEqual(['Action', 'ActionXml', 'ActionRequest', 'ActionRequestXml']);
    expect(Object.keys(action.Action.properties ?? {})).toEqual(['status', 'fault', 'job', 'async', 'force']);
    expect(action.Action.required).toEqual(['status']);
    expect(prop(action.Action, 'status').enum).toEqual(['pending', 'in_progress', 'complete', 'failed']);
    expect(prop(action.ActionXml, 'job', 'id').xml).toEqual({ attribute: true });
    expect(action.ActionXml.xml).toEqual({ name: 'action' });
    expect(Object.keys(action.ActionRequest.properties ?? {})).toEqual(['async', 'force']);
    expect(Object.keys(actionOpenApi(StartAction, 'StartAction'))).toContain('StartActionRequestXml');
  });

  it('describes the fault', () => {
    expect(faultOpenApi()).toEqual({
      Fault: {
        type: 'object',
        properties: { reason: { type: 'string' }, detail: { type: 'string' } },
        required: ['reason'],
      },
      FaultXml: {
        type: 'object',
        properties: { reason: { type: 'string' }, detail: { type: 'string' } },
        required: ['reason'],
        xml: { name: 'fault' },
      },
    });
  });
});
