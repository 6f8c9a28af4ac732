import * as crypto from 'node:crypto';
import { refTo } from '../ovirt/api-paths';
import { EVENTS } from '../events/event.representation';
import type { EventEntity } from '../events/event.entity';

export const SIGNATURE_HEADER = 'x-georep-signature';
export const TIMESTAMP_HEADER = 'x-georep-timestamp';
export const EVENT_HEADER = 'x-georep-event';
export const DELIVERY_HEADER = 'x-georep-delivery';

/** What an event is about, with its place in the API when it has one. */
export interface EventTarget {
  readonly type: string;
  readonly id: string;
  readonly href?: string;
}

export interface WebhookBody {
  readonly event_subscription: { readonly id: string; readonly href: string; readonly event: string };
  readonly event: {
    readonly id: string;
    readonly href: string;
    readonly index: number;
    readonly code: number;
    readonly severity: string;
    readonly description: string;
    readonly time: string;
    readonly origin: string;
    readonly correlation_id?: string;
    readonly cluster?: { readonly id: string; readonly href: string };
    readonly host?: { readonly id: string; readonly href: string };
    readonly job?: { readonly id: string; readonly href: string };
    readonly user?: { readonly id: string; readonly href: string };
    readonly target?: EventTarget;
  };
  /** Seconds since the epoch; the same as the timestamp header, and covered by the signature. */
  readonly timestamp: number;
  readonly link: readonly { readonly rel: string; readonly href: string }[];
}

export interface SubscriptionRef {
  readonly id: string;
  readonly href: string;
  readonly event: string;
}

function refIf(collection: string, id: string | null): { id: string; href: string } | undefined {
  return id ? refTo(collection, id) : undefined;
}

/** The JSON a webhook receives: the event, its ids and links to it and its target in the API. */
export function webhookBody(
  event: EventEntity,
  subscription: SubscriptionRef,
  target: EventTarget | undefined,
  now: Date,
): WebhookBody {
  const eventRef = refTo(EVENTS, event.id);
  return {
    event_subscription: subscription,
    event: {
      ...eventRef,
      index: Number(event.id),
      code: event.code,
      severity: event.severity,
      description: event.description,
      time: event.time.toISOString(),
      origin: event.origin,
      ...(event.correlationId ? { correlation_id: event.correlationId } : {}),
      ...(event.clusterId ? { cluster: refIf('clusters', event.clusterId) } : {}),
      ...(event.hostId ? { host: refIf('hosts', event.hostId) } : {}),
      ...(event.jobId ? { job: refIf('jobs', event.jobId) } : {}),
      ...(event.userId ? { user: refIf('users', event.userId) } : {}),
      ...(target ? { target } : {}),
    },
    timestamp: Math.floor(now.getTime() / 1000),
    link: [
      { rel: 'event', href: eventRef.href },
      ...(target?.href ? [{ rel: 'target', href: target.href }] : []),
      { rel: 'event_subscription', href: subscription.href },
    ],
  };
}

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>`, keyed by the subscription's secret. */
export function signature(body: string, secret: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
}

/** One line, printable, bounded: a header must not be split or stuffed by an event's text. */
function headerText(text: string, max: number): string {
  const line = text.replace(/[^ -~\u00a0-\uffff]+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

export function emailMessage(event: EventEntity, eventName: string, target: EventTarget | undefined): EmailMessage {
  const lines = [
    event.description,
    '',
    `Event:     ${eventName} (code ${event.code})`,
    `Severity:  ${event.severity}`,
    `Time:      ${event.time.toISOString()}`,
    `Event URL: ${refTo(EVENTS, event.id).href}`,
    ...(target ? [`Target:    ${target.type} ${target.id}${target.href ? ` (${target.href})` : ''}`] : []),
    ...(event.correlationId ? [`Correlation-Id: ${event.correlationId}`] : []),
    '',
    '-- georep-api event subscription',
  ];
  return {
    subject: headerText(`[georep-api] ${event.severity}: ${event.description}`, 200),
    text: lines.join('\n'),
  };
}

/** Bounded error text for the history and the log. */
export function boundedError(text: string, max = 1000): string {
  const clean = text.replace(/[^\t\n -~\u00a0-\uffff]/g, ' ');
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
}
