import * as crypto from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { resolveSecretKey } from '../config/data-files';
import { OvirtFault } from '../ovirt/faults';
import { BodyError } from '../ovirt/representation';
import { EngineClient, EngineError } from '../ovirt-engine/engine-client';
import { engineBaseUrl, EngineProtocolError } from '../ovirt-engine/engine-model';
import type { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import { encryptSecret } from '../ssh/secret-box';
import type { DrScheduleEntity, QuiescePolicy } from './dr-schedule.entity';
import { enginePasswordSecretName } from './engine-quiescer';

export const DEFAULT_ENGINE_USERNAME = 'admin@internal';

/** What a schedule write says of the quiesce and the engine (null clears a field). */
export interface EngineInput {
  quiesce?: QuiescePolicy | null;
  engine_url?: string | null;
  engine_username?: string | null;
  engine_password?: string | null;
  engine_ca_certificate?: string | null;
  engine_storage_domain_id?: string | null;
}

type EngineFields = Pick<
  DrScheduleEntity,
  'quiescePolicy' | 'engineUrl' | 'engineUsername' | 'enginePasswordSealed' | 'engineCaPem' | 'engineStorageDomainId'
>;

const NO_ENGINE: EngineFields = {
  quiescePolicy: 'off',
  engineUrl: null,
  engineUsername: null,
  enginePasswordSealed: null,
  engineCaPem: null,
  engineStorageDomainId: null,
};

/**
 * The rules of a schedule's quiesce policy and oVirt engine connection: the URL is the engine itself
 * over https, the password is sealed at once, the CA is given or fetched from the engine and pinned,
 * and a policy other than `off` needs all of it plus a registered slave cluster (whose volume the
 * run mounts to remove the snapshots' overlays).
 */
@Injectable()
export class EngineSettings {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The engine fields after this write (of the schedule `scheduleId`, `current` null when it is new). */
  async apply(
    input: EngineInput,
    current: DrScheduleEntity | null,
    scheduleId: string,
    session: GeoRepSessionEntity | null,
  ): Promise<EngineFields> {
    const before: EngineFields = current ? pick(current) : NO_ENGINE;
    const after: EngineFields = { ...before };
    if (input.quiesce !== undefined) after.quiescePolicy = input.quiesce ?? 'off';
    if (input.engine_url === null) Object.assign(after, { ...NO_ENGINE, quiescePolicy: after.quiescePolicy });
    else if (input.engine_url !== undefined) {
      after.engineUrl = this.url(input.engine_url);
      // Another engine: the pin of the old one does not hold for it.
      if (after.engineUrl !== before.engineUrl) after.engineCaPem = null;
      after.engineUsername ??= DEFAULT_ENGINE_USERNAME;
    }
    if (input.engine_username !== undefined) after.engineUsername = input.engine_username || null;
    if (input.engine_password !== undefined)
      after.enginePasswordSealed = input.engine_password
        ? encryptSecret(input.engine_password, resolveSecretKey(this.config), enginePasswordSecretName(scheduleId))
        : null;
    if (input.engine_storage_domain_id !== undefined)
      after.engineStorageDomainId = input.engine_storage_domain_id ?? null;
    if (input.engine_ca_certificate !== undefined)
      after.engineCaPem = input.engine_ca_certificate === null ? null : this.certificate(input.engine_ca_certificate);
    if (after.engineUrl && !after.engineCaPem && input.engine_ca_certificate !== null)
      after.engineCaPem = await this.fetchCa(after.engineUrl);
    if (after.quiescePolicy !== 'off') this.checkComplete(after, session);
    return after;
  }

  private url(input: string): string {
    try {
      return engineBaseUrl(input);
    } catch (e) {
      if (e instanceof EngineProtocolError) throw new BodyError([{ path: 'engine_url', message: e.message }]);
      throw e;
    }
  }

  private certificate(pem: string): string {
    const block = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
    try {
      if (!block) throw new Error('no PEM block');
      if (!new crypto.X509Certificate(block).ca) throw new Error('not a CA');
    } catch {
      throw new BodyError([
        { path: 'engine_ca_certificate', message: "must be the PEM of the engine's CA certificate" },
      ]);
    }
    return `${block}\n`;
  }

  private async fetchCa(url: string): Promise<string> {
    try {
      return await EngineClient.fetchCaCertificate(url, this.config.engineTimeoutMs);
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      throw new OvirtFault(
        502,
        'Bad Gateway',
        `the engine's CA certificate could not be fetched (${e.message}); give it in engine_ca_certificate`,
      );
    }
  }

  private checkComplete(f: EngineFields, session: GeoRepSessionEntity | null): void {
    const missing = [
      ['engine_url', f.engineUrl],
      ['engine_password', f.enginePasswordSealed],
      ['engine_storage_domain_id', f.engineStorageDomainId],
    ].filter(([, v]) => !v);
    if (missing.length > 0)
      throw new BodyError(
        missing.map(([path]) => ({
          path: path!,
          message: `needed to quiesce through the oVirt engine (quiesce ${f.quiescePolicy})`,
        })),
      );
    if (session && !session.slaveClusterId)
      throw OvirtFault.conflict(
        `quiesce ${f.quiescePolicy} removes the snapshots' overlays from the slave volume, so the slave cluster of ${session.slaveHostName}::${session.slaveVolumeName} must be registered first`,
      );
  }
}

function pick(s: DrScheduleEntity): EngineFields {
  return {
    quiescePolicy: s.quiescePolicy,
    engineUrl: s.engineUrl,
    engineUsername: s.engineUsername,
    enginePasswordSealed: s.enginePasswordSealed,
    engineCaPem: s.engineCaPem,
    engineStorageDomainId: s.engineStorageDomainId,
  };
}
