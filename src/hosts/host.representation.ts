import { CLUSTERS } from '../clusters/cluster.representation';
import { refTo } from '../ovirt/api-paths';
import { nameField } from '../ovirt/common-fields';
import {
  actionSchema,
  CreateInputOf,
  enumOf,
  int,
  obj,
  ref,
  resource,
  str,
  UpdateInputOf,
  ViewOf,
} from '../ovirt/representation';
import type { SearchSpec } from '../ovirt/search';
import { fitOvirtModel, OVIRT_HOST_FIELDS, OVIRT_SSH_FIELDS, OVIRT_USER_FIELDS } from '../ovirt-model/ovirt-fields';
import type { HostEntity } from './host.entity';

export const HOSTS = 'hosts';

export const HOST_STATUSES = ['unknown', 'up', 'non_responsive', 'install_failed'] as const;
export type HostStatus = (typeof HOST_STATUSES)[number];

export const DEFAULT_SSH_PORT = 22;
export const DEFAULT_SSH_USER = 'root';

const sshUserFields = {
  user_name: str({
    optional: true,
    maxLength: 32,
    pattern: /^[a-z_][a-z0-9_-]{0,31}$/,
    patternDescription: "a Unix user name (lower-case letters, digits, '_' and '-', starting with a letter or '_')",
    description: `The Unix user the service logs in as. Default ${DEFAULT_SSH_USER}.`,
  }),
};
const sshFields = {
  port: int({ optional: true, min: 1, max: 65535, description: `Default ${DEFAULT_SSH_PORT}.` }),
  user: obj('user', sshUserFields, {
    optional: true,
    ...fitOvirtModel(OVIRT_USER_FIELDS, Object.keys(sshUserFields), "oVirt's user element; only user_name is used.", {
      resource: false,
    }),
  }),
  fingerprint: str({
    optional: true,
    readOnly: true,
    description: 'SHA-256 fingerprint of the host key, pinned on first contact.',
  }),
};
const hostFields = {
  name: nameField(),
  address: str({
    maxLength: 253,
    pattern: /^[A-Za-z0-9.:-]+$/,
    patternDescription: 'an RFC 1123 host name, an IPv4 or an IPv6 address',
    description: 'Where the service reaches the host over SSH.',
  }),
  ssh: obj('ssh', sshFields, {
    optional: true,
    ...fitOvirtModel(OVIRT_SSH_FIELDS, Object.keys(sshFields), 'How the service reaches the host.', {
      resource: false,
    }),
  }),
  cluster: ref('cluster'),
  root_password: str({
    optional: true,
    writeOnly: true,
    maxLength: 1024,
    description:
      'Only when adding: the password of the SSH user, used once within the request to install the service key in its authorized_keys. Never stored or shown.',
  }),
  status: enumOf(HOST_STATUSES, { readOnly: true, description: 'unknown until the service has contacted the host.' }),
  status_detail: str({
    readOnly: true,
    optional: true,
    description: 'Why the host is not up, as the last contact found.',
  }),
  gluster_version: str({
    readOnly: true,
    optional: true,
    description: 'What `gluster --version` said at the last contact.',
  }),
  peer_uuid: str({
    readOnly: true,
    optional: true,
    description: "The host's glusterd UUID (two host records may reach the same peer).",
  }),
};
export const HostSchema = resource('host', HOSTS, hostFields, {
  actions: ['refresh', 'repin'],
  ...fitOvirtModel(
    OVIRT_HOST_FIELDS,
    Object.keys(hostFields),
    'A gluster server the service reaches over SSH. Two hosts may be two ways to reach the same server.',
  ),
});

/** `POST /hosts/{id}/refresh`: contact the host again. */
export const HostRefreshActionSchema = actionSchema();

/** `POST /hosts/{id}/repin`: accept the host key the host presents now. */
export const HostRepinActionSchema = actionSchema({
  fingerprint: str({
    optional: true,
    pattern: /^SHA256:[A-Za-z0-9+/]{43}$/,
    patternDescription: 'SHA256:<43 base64 characters>, as ssh-keygen -lf prints it',
    description:
      'The fingerprint the admin expects (checked out of band); without it, whatever key the host presents is accepted.',
  }),
});

export type HostView = ViewOf<typeof HostSchema>;
export type HostCreate = CreateInputOf<typeof HostSchema>;
export type HostUpdate = UpdateInputOf<typeof HostSchema>;

export const HOST_SEARCH: SearchSpec = {
  fields: {
    name: { column: 'host.name' },
    address: { column: 'host.address' },
    status: { column: 'host.status', values: HOST_STATUSES },
  },
  defaultSort: 'name',
};

export function hostView(host: HostEntity): HostView {
  return {
    ...refTo(HOSTS, host.id),
    name: host.name,
    address: host.address,
    ssh: { port: host.sshPort, user: { user_name: host.sshUser }, fingerprint: host.sshFingerprint },
    cluster: refTo(CLUSTERS, host.clusterId),
    status: host.status,
    status_detail: host.statusDetail ?? undefined,
    gluster_version: host.glusterVersion ?? undefined,
    peer_uuid: host.peerUuid ?? undefined,
  };
}
