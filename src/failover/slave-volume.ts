import { Injectable } from '@nestjs/common';
import {
  FailoverSlaveOption,
  RESTORED_SLAVE_OPTIONS,
  GlusterCommand,
  parsePlainOutput,
  parseVolumeInfo,
  volumeInfoCommand,
  volumeResetFailoverOptionCommand,
  volumeSetFailoverOptionCommand,
} from '../gluster';
import { asActionFailure } from '../hosts/host-failures';
import { StepHandle } from '../jobs/action-executor';
import { ActionFailedError } from '../jobs/action-failure';
import { HeldLock, TargetLock } from '../jobs/target-lock';
import { DrRepository } from '../dr/dr.repository';
import { SessionGluster } from '../session-worker/session-gluster';
import { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import { SessionsRepository } from '../sessions/sessions.repository';

/** What the slave volume must have to take writes and to be synced back later (the guide's failover steps). */
const SLAVE_FAILOVER_VALUES: Readonly<Partial<Record<FailoverSlaveOption, boolean>>> = {
  'geo-replication.indexing': true,
  'changelog.changelog': true,
  'features.read-only': false,
};

/**
 * The slave volume's side of a failover and a failback, on the slave cluster: its options opened for
 * writes (the values found kept on the session) and put back; and the storage domain's lock when a DR
 * schedule syncs through the session.
 */
@Injectable()
export class FailoverSlaveVolume {
  constructor(
    private readonly gluster: SessionGluster,
    private readonly sessions: SessionsRepository,
    private readonly dr: DrRepository,
    private readonly locks: TargetLock,
  ) {}

  /** Reads the options, keeps the values found (only the first time), and sets what differs. */
  async open(session: GeoRepSessionEntity, slaveClusterId: string, h: StepHandle): Promise<void> {
    const current = await this.options(session, slaveClusterId, h);
    const before: Record<string, string | null> = {};
    for (const name of RESTORED_SLAVE_OPTIONS) before[name] = current.get(name) ?? null;
    await this.sessions.keepSlaveOptionsBeforeFailover(session.id, before);
    for (const [name, wanted] of Object.entries(SLAVE_FAILOVER_VALUES) as [FailoverSlaveOption, boolean][]) {
      if (isOn(current.get(name)) !== wanted)
        await this.run(slaveClusterId, volumeSetFailoverOptionCommand(session.slaveVolumeName, name, wanted));
    }
  }

  /**
   * Back to what the failover found: gluster's default where nothing was set, the value found otherwise.
   * The geo-replication.* options stay while another session uses the slave volume as its master
   * (resetting indexing would break it). Returns what was left, for the job's description.
   */
  async restore(session: GeoRepSessionEntity, slaveClusterId: string, h: StepHandle): Promise<string[]> {
    const before = session.slaveOptionsBeforeFailover ?? {};
    const current = await this.options(session, slaveClusterId, h);
    const mastered = session.slaveVolumeId
      ? (await this.sessions.allOfMasterVolume(session.slaveVolumeId)).length > 0
      : false;
    const left: string[] = [];
    for (const name of RESTORED_SLAVE_OPTIONS) {
      // Recorded by an older failover without this option: leave it as it is.
      if (!(name in before)) continue;
      const was = before[name] ?? null;
      if (was === (current.get(name) ?? null)) continue;
      if (mastered && name.startsWith('geo-replication.')) {
        left.push(name);
        continue;
      }
      await this.run(
        slaveClusterId,
        was === null
          ? volumeResetFailoverOptionCommand(session.slaveVolumeName, name)
          : volumeSetFailoverOptionCommand(session.slaveVolumeName, name, isOn(was)),
      );
    }
    return left;
  }

  /** The storage domains' locks when DR schedules sync through the session (a DR run in progress: 409). */
  async domainLocks(session: GeoRepSessionEntity, what: string): Promise<HeldLock[]> {
    const domains = [...new Set((await this.dr.schedulesOfSession(session.id)).map((s) => s.storageDomainId))];
    const held: HeldLock[] = [];
    for (const domainId of domains) {
      const lock = await this.locks.tryAcquire('storage_domain', domainId);
      if (!lock) {
        for (const l of held) await l.release();
        throw ActionFailedError.refused(
          `A DR run of the storage domain that syncs through this session is in progress; cancel it or let it end, then ${what}.`,
        );
      }
      held.push(lock);
    }
    return held;
  }

  private async options(
    session: GeoRepSessionEntity,
    slaveClusterId: string,
    h: StepHandle,
  ): Promise<Map<string, string>> {
    const volume = session.slaveVolumeName;
    const ran = await this.gluster.onCluster(slaveClusterId, volumeInfoCommand(volume));
    await h.ranOn(ran.host.id);
    let info;
    try {
      info = parseVolumeInfo(ran.output).find((v) => v.name === volume);
    } catch (e) {
      throw asActionFailure(e);
    }
    if (!info) throw ActionFailedError.refused(`The slave volume ${volume} is not on the slave cluster any more.`);
    return new Map(info.options.map((o) => [o.name, o.value]));
  }

  private async run(clusterId: string, command: GlusterCommand): Promise<void> {
    const ran = await this.gluster.onCluster(clusterId, command);
    try {
      parsePlainOutput(ran.output);
    } catch (e) {
      throw asActionFailure(e);
    }
  }
}

/** gluster's boolean option values as `volume info` prints them (`on`, `off`, `enable`, `true`, …). */
export function isOn(value: string | null | undefined): boolean {
  return value !== undefined && value !== null && ['on', 'yes', 'true', 'enable', '1'].includes(value.toLowerCase());
}
