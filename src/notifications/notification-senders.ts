import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { Transporter } from 'nodemailer';
import { APP_CONFIG, AppConfig } from '../config/config';
import { boundedError, EmailMessage } from './notification-message';

/** A delivery that did not get through; its message is safe to store and log (no secret, no URL). */
export class DeliveryFailure extends Error {
  override readonly name = 'DeliveryFailure';

  constructor(
    message: string,
    readonly httpStatus: number | null = null,
    readonly smtpReply: string | null = null,
  ) {
    super(boundedError(message));
  }
}

interface SmtpError {
  readonly message?: string;
  readonly code?: string;
  readonly response?: string;
}

/** nodemailer's options from GEOREP_SMTP_URL, with timeouts so a dead relay fails the attempt instead of holding it. */
function smtpOptions(raw: string) {
  const url = new URL(raw);
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 25,
    secure,
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
}

/** The two ways out: e-mail through the configured relay, and a POST to a webhook receiver. */
@Injectable()
export class NotificationSenders implements OnApplicationShutdown {
  private mailer?: Transporter;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get smtpConfigured(): boolean {
    return this.config.notifications.smtpUrl !== undefined && this.config.notifications.smtpFrom !== undefined;
  }

  async sendEmail(to: string, message: EmailMessage): Promise<{ smtpReply: string }> {
    const { smtpUrl, smtpFrom } = this.config.notifications;
    if (smtpUrl === undefined || smtpFrom === undefined)
      throw new DeliveryFailure('the service has no SMTP relay configured (GEOREP_SMTP_URL, GEOREP_SMTP_FROM)');
    this.mailer ??= nodemailer.createTransport(smtpOptions(smtpUrl));
    try {
      const info = (await this.mailer.sendMail({
        from: smtpFrom,
        to,
        subject: message.subject,
        text: message.text,
      })) as {
        response?: string;
      };
      return { smtpReply: boundedError(info.response ?? '', 500) };
    } catch (e) {
      const err = e as SmtpError;
      const reply = err.response ? boundedError(err.response, 500) : null;
      throw new DeliveryFailure(
        `the SMTP relay did not take the message: ${reply ?? err.code ?? err.message ?? 'error'}`,
        null,
        reply,
      );
    }
  }

  /** 2xx is delivered; anything else (or no answer in time) fails the attempt. Redirects are not followed. */
  async postWebhook(url: string, body: string, headers: Record<string, string>): Promise<{ httpStatus: number }> {
    const timeoutMs = this.config.notifications.webhookTimeoutMs;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'user-agent': 'georep-api', ...headers },
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      if ((e as Error).name === 'TimeoutError')
        throw new DeliveryFailure(`the receiver did not answer within ${timeoutMs / 1000} s`);
      const code = (e as { cause?: { code?: unknown } }).cause?.code;
      throw new DeliveryFailure(`could not reach the receiver${typeof code === 'string' ? ` (${code})` : ''}`);
    }
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { httpStatus: response.status };
    throw new DeliveryFailure(`the receiver answered HTTP ${response.status}`, response.status);
  }

  onApplicationShutdown(): void {
    this.mailer?.close();
  }
}
