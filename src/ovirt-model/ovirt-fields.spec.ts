import { ClusterSchema } from '../clusters/cluster.representation';
import { EventSchema } from '../events/event.representation';
import { HostSchema } from '../hosts/host.representation';
import { JobEndActionSchema, JobSchema, StepSchema } from '../jobs/job.representation';
import {
  actionSchema,
  bool,
  BodyError,
  decodeBody,
  Fields,
  ObjectField,
  readBody,
  ResourceSchema,
} from '../ovirt/representation';
import { SessionFailoverActionSchema, SessionStopActionSchema } from '../sessions/session.representation';
import { HostStorageSchema, StorageDomainSchema } from '../storage-domains/storage-domain.representation';
import { UserSchema } from '../users/user.representation';
import { GlusterBrickSchema, GlusterVolumeSchema } from '../volumes/volume.representation';
import {
  fitOvirtModel,
  OVIRT_ACTION_FIELDS,
  OVIRT_CLUSTER_FIELDS,
  OVIRT_EVENT_FIELDS,
  OVIRT_GLUSTER_BRICK_FIELDS,
  OVIRT_GLUSTER_VOLUME_FIELDS,
  OVIRT_HOST_FIELDS,
  OVIRT_HOST_STORAGE_FIELDS,
  OVIRT_JOB_FIELDS,
  OVIRT_SSH_FIELDS,
  OVIRT_STEP_FIELDS,
  OVIRT_STORAGE_DOMAIN_FIELDS,
  OVIRT_USER_FIELDS,
} from './ovirt-fields';

const sshSchema = HostSchema.fields.ssh;
const userSchema = sshSchema.fields.user;

const TYPES: [string, ResourceSchema | ObjectField, readonly string[]][] = [
  ['cluster', ClusterSchema, OVIRT_CLUSTER_FIELDS],
  ['host', HostSchema, OVIRT_HOST_FIELDS],
  ['ssh', sshSchema, OVIRT_SSH_FIELDS],
  ['user', userSchema, OVIRT_USER_FIELDS],
  ['storage_domain', StorageDomainSchema, OVIRT_STORAGE_DOMAIN_FIELDS],
  ['host_storage', HostStorageSchema, OVIRT_HOST_STORAGE_FIELDS],
  ['event', EventSchema, OVIRT_EVENT_FIELDS],
  ['job', JobSchema, OVIRT_JOB_FIELDS],
  ['user (/users)', UserSchema, OVIRT_USER_FIELDS],
  ['action (job end)', JobEndActionSchema, OVIRT_ACTION_FIELDS],
  ['action (session stop)', SessionStopActionSchema, OVIRT_ACTION_FIELDS],
  ['action (session failover)', SessionFailoverActionSchema, OVIRT_ACTION_FIELDS],
];

/**
 * Types that are only read (no body takes them): what they serve beyond oVirt's fields is listed here, so
 * that a field added under a name close to oVirt's, or an oVirt field served under another name, is noticed.
 */
const READ_ONLY: [string, ResourceSchema, readonly string[], readonly string[]][] = [
  ['step', StepSchema, OVIRT_STEP_FIELDS, []],
  [
    'gluster_volume',
    GlusterVolumeSchema,
    OVIRT_GLUSTER_VOLUME_FIELDS,
    ['gluster_uuid', 'size_total', 'size_free', 'georeplication_slave', 'georeplication_session', 'last_refreshed'],
  ],
  [
    'brick',
    GlusterBrickSchema,
    OVIRT_GLUSTER_BRICK_FIELDS,
    ['server_name', 'host', 'position', 'arbiter', 'size_total', 'size_free'],
  ],
];

describe("oVirt's field tables", () => {
  it.each(TYPES)('%s: the tables are snake_case and without repeats', (_type, _schema, model) => {
    for (const name of model) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(new Set(model).size).toBe(model.length);
  });

  it.each(TYPES)(
    '%s: every oVirt field is either served or ignored (id/href by the codec for resources)',
    (_type, schema, model) => {
      const served = Object.keys(schema.fields as Fields);
      const ignored = schema.ignored ?? [];
      const codec = schema.kind === 'resource' ? ['id'] : [];
      expect(model.filter((n) => !served.includes(n) && !ignored.includes(n) && !codec.includes(n))).toEqual([]);
      expect(ignored.filter((n) => !model.includes(n))).toEqual([]);
    },
  );

  it.each(READ_ONLY)(
    "%s (read only): every field served is oVirt's or one of ours by name",
    (_type, schema, model, ours) => {
      for (const name of [...model, ...ours]) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(ours.filter((n) => model.includes(n))).toEqual([]);
      expect(Object.keys(schema.fields).filter((n) => !model.includes(n) && !ours.includes(n))).toEqual([]);
      expect(ours.filter((n) => !Object.hasOwn(schema.fields, n))).toEqual([]);
    },
  );

  it('every action ignores the oVirt action fields it does not serve, and serves its own', () => {
    const stop = actionSchema({ force: bool({ optional: true }) });
    expect(stop.ignored).toEqual(
      OVIRT_ACTION_FIELDS.filter((n) => !['force', 'async', 'status', 'fault', 'job'].includes(n)),
    );
    expect(actionSchema({ phase: bool({ optional: true }) }).ignored).toContain('force');
    expect(
      decodeBody(
        stop,
        { force: 'true', reason: 'maintenance', vm: { id: 'x' }, timeout: '5' },
        { mode: 'create', format: 'json' },
      ),
    ).toEqual({ force: true });
    expect(() => decodeBody(stop, { force: 'true', forcce: 'true' }, { mode: 'create', format: 'json' })).toThrow(
      BodyError,
    );
  });

  it('the fields oVirt has and this service uses are served, not ignored', () => {
    expect(ClusterSchema.ignored).not.toContain('gluster_service');
    expect(ClusterSchema.ignored).not.toContain('virt_service');
    expect(StorageDomainSchema.ignored).not.toContain('host');
    expect(Object.keys(userSchema.fields)).toEqual(['user_name']);
  });

  it('fitOvirtModel lists the ignored fields, sorted, in the description (never id)', () => {
    expect(fitOvirtModel(['id', 'name', 'zeta', 'alpha'], ['name'], 'A thing.')).toEqual({
      ignored: ['alpha', 'zeta'],
      description: "A thing. Fields of oVirt's model accepted in bodies and ignored: alpha, zeta.",
    });
    expect(fitOvirtModel(['id', 'name'], ['name'], 'Nested.', { resource: false })).toEqual({
      ignored: ['id'],
      description: 'Nested.',
    });
  });
});

describe('decoding bodies built from the oVirt model', () => {
  it('Host with ssh=Ssh(port, user=User(user_name)) and ignored oVirt fields at every level (XML)', () => {
    const xml =
      '<host><name>h</name><address>192.0.2.1</address><cluster><name>c</name></cluster><port>54321</port><statistics><statistic/><statistic/></statistics>' +
      '<ssh id="x"><port>22</port><public_key>k</public_key><user><user_name>root</user_name><domain><name>internal</name></domain></user></ssh></host>';
    expect(readBody(HostSchema, xml, { mode: 'create', format: 'xml' })).toEqual({
      name: 'h',
      address: '192.0.2.1',
      cluster: { name: 'c' },
      ssh: { port: 22, user: { user_name: 'root' } },
    });
  });

  it('ssh.user as text is refused; an unknown name is still refused next to ignored ones', () => {
    const body = { name: 'h', address: 'a', cluster: { name: 'c' }, ssh: { user: 'root' }, spm: {}, nonsense: 1 };
    const error = (() => {
      try {
        decodeBody(HostSchema, body, { mode: 'create', format: 'json' });
      } catch (e) {
        return e as BodyError;
      }
      throw new Error('decoded');
    })();
    expect(error.issues).toEqual([
      { path: 'ssh.user', message: 'must be an object (got "root")' },
      { path: 'nonsense', message: 'unknown field' },
    ]);
  });

  it('Cluster(gluster_service, virt_service) decodes both flags; StorageDomain(host=Host(name)) decodes the reference', () => {
    expect(
      decodeBody(
        ClusterSchema,
        { name: 'c', gluster_service: 'true', virt_service: 'false', version: { major: '4' } },
        { mode: 'create', format: 'json' },
      ),
    ).toEqual({
      name: 'c',
      gluster_service: true,
      virt_service: false,
    });
    const sd = {
      name: 's',
      host: { name: 'h1' },
      storage: { type: 'glusterfs', address: 'a', path: '/v', vfs_type: 'glusterfs' },
      storage_format: 'v5',
    };
    expect(decodeBody(StorageDomainSchema, sd, { mode: 'create', format: 'json' })).toEqual({
      name: 's',
      host: { name: 'h1' },
      storage: { type: 'glusterfs', address: 'a', path: '/v' },
    });
  });
});
