/** A realistic resource for the specs of this folder (not used by the application). */
import { bool, date, enumOf, int, list, long, obj, ref, resource, str, ViewOf, actionSchema } from './schema';

export const HostSchema = resource(
  'host',
  'hosts',
  {
    address: str({ maxLength: 255, pattern: /^[A-Za-z0-9.:-]+$/, patternDescription: 'a host name or an IP address' }),
    name: str({
      maxLength: 50,
      pattern: /^[A-Za-z0-9_.-]+$/,
      patternDescription: 'letters, digits, dots, dashes or underscores',
    }),
    description: str({ optional: true, maxLength: 200 }),
    cluster: ref('cluster'),
    status: enumOf(['up', 'down', 'non_responsive'], { readOnly: true }),
    ssh: obj('ssh', {
      port: int({ min: 1, max: 65535 }),
      user: str({ maxLength: 32 }),
      fingerprint: str({ readOnly: true, optional: true }),
    }),
    root_password: str({ writeOnly: true, optional: true, maxLength: 100 }),
    options: list('option', obj('option', { name: str({ maxLength: 64 }), value: str({ maxLength: 1024 }) }), {
      optional: true,
      maxItems: 5,
    }),
    gluster_service: bool({ optional: true }),
    created: date({ readOnly: true }),
    last_seen: date({ optional: true }),
    peer_count: int({ optional: true, readOnly: true }),
    size: long({ optional: true }),
  },
  { links: ['bricks', 'statistics'], actions: ['refresh', 'start'] },
);

export const hostView: ViewOf<typeof HostSchema> = {
  id: '123',
  href: '/ovirt-engine/api/hosts/123',
  address: '192.0.2.10',
  name: 'gluster1',
  description: 'first & <best> "one"',
  cluster: { id: '456', href: '/ovirt-engine/api/clusters/456' },
  status: 'up',
  ssh: { port: 22, user: 'root', fingerprint: 'SHA256:abc' },
  options: [
    { name: 'a', value: '1' },
    { name: 'b', value: 'x<y' },
  ],
  gluster_service: true,
  created: new Date('2026-11-22T04:30:00.123Z'),
  peer_count: null,
  size: 1099511627776,
};

export const StartAction = actionSchema({ force: bool({ optional: true }) });
