import * as crypto from 'node:crypto';
import { EventCode } from '../events/event-codes';
import type { EventEntity } from '../events/event.entity';
import { eventNamesFor, NOTIFIABLE_EVENT_NAMES } from './notifiable-events';
import { emailMessage, signature, webhookBody } from './notification-message';

const event = {
  id: '42',
  code: EventCode.StorageDomainSyncFailed,
  severity: 'alert',
  description: 'Storage domain sd1: data synchronization failed:\r\nBcc: someone@example.org',
  time: new Date('2026-12-02T10:00:00Z'),
  origin: 'georep-api',
  correlationId: null,
  clusterId: 'c1',
  hostId: null,
  jobId: null,
  userId: null,
  targetType: 'storage_domain',
  targetId: 'sd1',
} as unknown as EventEntity;

describe('notification messages', () => {
  it('names every subscribable event in snake_case, and maps a DR failure to its oVirt name', () => {
    for (const name of NOTIFIABLE_EVENT_NAMES) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(eventNamesFor(EventCode.StorageDomainSyncFailed)).toEqual(['gluster_storage_domain_sync_failed']);
    expect(eventNamesFor(EventCode.ClusterAdded)).toEqual([]);
  });

  it('signs the exact body bytes with HMAC-SHA256 of the secret', () => {
    const body = '{"a":1}';
    expect(signature(body, 'k'.repeat(16))).toBe(
      `sha256=${crypto.createHmac('sha256', 'k'.repeat(16)).update(body).digest('hex')}`,
    );
  });

  it('links the event and its target, and keeps the timestamp inside the signed body', () => {
    const sub = { id: 's1', href: '/ovirt-engine/api/users/u1/eventsubscriptions/s1', event: 'x' };
    const target = { type: 'storage_domain', id: 'sd1', href: '/ovirt-engine/api/storagedomains/sd1' };
    const body = webhookBody(event, sub, target, new Date('2026-12-02T10:00:05Z'));
    expect(body.timestamp).toBe(Date.parse('2026-12-02T10:00:05Z') / 1000);
    expect(body.link.map((l) => l.rel)).toEqual(['event', 'target', 'event_subscription']);
    expect(body.event.cluster).toEqual({ id: 'c1', href: '/ovirt-engine/api/clusters/c1' });
  });

  it('keeps an e-mail subject on one line, whatever the description holds', () => {
    const { subject, text } = emailMessage(event, 'gluster_storage_domain_sync_failed', undefined);
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject.startsWith('[georep-api] alert: Storage domain sd1')).toBe(true);
    expect(text).toContain('code 4164');
  });
});
