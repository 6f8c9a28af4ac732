import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { EventCode } from '../events/event-codes';
import { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import { sessionView, GeoRepSessionView } from '../sessions/session.representation';
import { SessionsRepository } from '../sessions/sessions.repository';
import {
  geoRepSlaveUrl,
  isIPv4,
  validateGroupName,
  validateHost,
  validateUserName,
  validateVolumeName,
} from '../gluster';
import { HostEntity } from '../hosts/host.entity';
import { HostShell } from '../hosts/host-shell';
import { HostsRepository } from '../hosts/hosts.repository';
import { RemoteReadLimiter } from '../hosts/remote-read-limiter';
import { actionReply, ActionRunner, ActionSubmission } from '../jobs/action-runner';
import { JOBS } from '../jobs/job.representation';
import { resourceHref } from '../ovirt/api-paths';
import { FaultStatus, OvirtFault } from '../ovirt/faults';
import { checkedField } from '../ovirt/field-check';
import type { ListQuery } from '../ovirt/query';
import { BodyError, CreateInputOf } from '../ovirt/representation';
import type { ActionReply, Caller } from '../ovirt/routes';
import { matchesSearchValue } from '../ovirt/search';
import { isFingerprint, ServiceKey, SshClient } from '../ssh';
import { GlusterBrickEntity } from '../volumes/gluster-brick.entity';
import { GlusterVolumeEntity } from '../volumes/gluster-volume.entity';
import { VolumesRepository } from '../volumes/volumes.repository';
import { nonEligibilityReasons, NonEligibilityReason } from './eligibility';
import { GeoRepSessionCreate, SessionCreateParams } from './session-create-jobs';
import { brickEmptyCheckCommand, parseBrickEmptyCheck } from '../gluster/georep-keys';
import {
  CreateMethod,
  GeoRepSessionCreateBodySchema,
  GeoRepTargetView,
  targetView,
} from './session-create.representation';
import { OPERATION_FAILED } from '../jobs/action-failure';

export type SessionCreateBody = CreateInputOf<typeof GeoRepSessionCreateBodySchema>;
type SlaveVolumeRef = NonNullable<SessionCreateBody['slave_volume']>;

/** What the request asks for besides the two volumes, checked. */
type CreateOptions = Pick<
  SessionCreateParams,
  'userName' | 'userGroup' | 'force' | 'start' | 'enforcePreflight' | 'method'
>;

/**
 * The slave the request names, resolved: its address and volume name, its row when the service knows the
 * volume, and how the job reaches it when the service does not manage the host.
 */
interface ResolvedSlave {
  readonly hostName: string;
  readonly volumeName: string;
  readonly volume: GlusterVolumeEntity | null;
  readonly unmanaged: SessionCreateParams['unmanagedSlave'];
}

/**
 * `GET …/georeplication-targets` (oVirt's eligible volumes, with reasons) and the request side of
 * `POST …/georeplication-sessions`: input checks and state rules (400 / 404 / 409 before any job),
 * the one-time slave root password used right here, then the create job (SessionCreateJob).
 */
@Injectable()
export class SessionCreateService {
  private readonly logger = new Logger(SessionCreateService.name);

  constructor(
    @InjectRepository(GlusterVolumeEntity) private readonly volumeRows: Repository<GlusterVolumeEntity>,
    @InjectRepository(GlusterBrickEntity) private readonly brickRows: Repository<GlusterBrickEntity>,
    @InjectRepository(GeoRepSessionEntity) private readonly sessionRows: Repository<GeoRepSessionEntity>,
    @InjectRepository(HostEntity) private readonly hostRows: Repository<HostEntity>,
    private readonly volumes: VolumesRepository,
    private readonly sessions: SessionsRepository,
    private readonly hosts: HostsRepository,
    private readonly shell: HostShell,
    private readonly remoteReads: RemoteReadLimiter,
    private readonly ssh: SshClient,
    private readonly serviceKey: ServiceKey,
    private readonly runner: ActionRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private async master(clusterId: string, volumeId: string): Promise<GlusterVolumeEntity> {
    const volume = await this.volumes.findInCluster(clusterId, volumeId);
    if (!volume) throw OvirtFault.notFound('gluster volume', volumeId);
    return volume;
  }

  // ------------------------------------------------------------------ targets

  async targets(clusterId: string, volumeId: string, query: ListQuery): Promise<GeoRepTargetView[]> {
    const master = await this.master(clusterId, volumeId);
    const candidates = (await this.volumeRows.find({ order: { name: 'ASC', id: 'ASC' } })).filter(
      (v) => v.id !== master.id && matchesSearch(v, query),
    );
    const feeding = await this.volumes.feedingSessions(candidates.map((v) => v.id));
    const upByCluster = new Map<string, boolean>();
    for (const clusterOf of new Set(candidates.map((v) => v.clusterId))) {
      upByCluster.set(
        clusterOf,
        (await this.hosts.listByCluster(clusterOf)).some((h) => h.status === 'up'),
      );
    }
    // Emptiness is only worth an SSH round when it could matter: a volume of another cluster. The
    // limiter shares a running check with the same question and bounds how many run at once.
    const checked = candidates.filter((v) => v.clusterId !== master.clusterId);
    const emptiness = await this.remoteReads.run(
      `targets:${master.id}:${checked.map((v) => v.id).join(',')}`,
      async () => {
        return new Map(await Promise.all(checked.map(async (v) => [v.id, await this.isEmpty(v)] as const)));
      },
    );
    const views = candidates.map((v) => {
      const empty = emptiness.get(v.id) ?? null;
      return targetView(
        v,
        empty,
        this.reasons(master, v, feeding.has(v.id), upByCluster.get(v.clusterId) ?? false, empty),
      );
    });
    if (query.search.sort.descending) views.reverse();
    return query.max !== undefined ? views.slice(0, query.max) : views;
  }

  private reasons(
    master: GlusterVolumeEntity,
    slave: GlusterVolumeEntity,
    isSlave: boolean,
    upHost: boolean,
    empty: boolean | null,
  ): NonEligibilityReason[] {
    return nonEligibilityReasons({
      master,
      slave,
      isSlaveOfSession: isSlave,
      slaveClusterHasUpHost: upHost,
      slaveEmpty: empty,
    });
  }

  /**
   * Looks at every brick directory of the volume on its host (registered hosts only): false when any
   * holds an entry besides .glusterfs/.trashcan, true when all were checked and hold none, else null.
   */
  async isEmpty(volume: GlusterVolumeEntity): Promise<boolean | null> {
    const bricks = await this.brickRows.find({ where: { volumeId: volume.id } });
    if (bricks.length === 0) return null;
    const hostIds = [...new Set(bricks.map((b) => b.hostId).filter((id): id is string => id !== null))];
    const hosts = new Map((await this.hosts.findByIds(hostIds)).map((h) => [h.id, h]));
    const results = await Promise.all(
      bricks.map(async (b) => {
        const host = b.hostId ? hosts.get(b.hostId) : undefined;
        if (!host) return null;
        try {
          return parseBrickEmptyCheck(await this.shell.run(host, brickEmptyCheckCommand(b.brickDir)));
        } catch (e) {
          this.logger.warn(
            { volume: volume.id, host: host.id, err: (e as Error).message },
            'brick emptiness check failed',
          );
          return null;
        }
      }),
    );
    if (results.includes(false)) return false;
    return results.every((r) => r === true) ? true : null;
  }

  // ------------------------------------------------------------------ create

  async create(
    clusterId: string,
    volumeId: string,
    body: SessionCreateBody,
    caller: Caller,
  ): Promise<GeoRepSessionView | ActionReply> {
    const master = await this.master(clusterId, volumeId);
    const options = requestedOptions(body);
    if (master.status !== 'up') throw OvirtFault.conflict(`The master volume ${master.name} is not up.`);
    const slave =
      body.slave_volume !== undefined
        ? await this.slaveByVolume(body, body.slave_volume)
        : await this.slaveByAddress(body);
    refuseUnmanagedOnlyFields(body, slave);
    const slaveUrl = checkedField(() =>
      geoRepSlaveUrl({
        masterVolume: master.name,
        slaveHost: slave.hostName,
        slaveVolume: slave.volumeName,
        slaveUser: options.userName,
      }),
    );
    await this.checkEligible(master, slave, options.force);
    const submission = await this.submitCreate(master, slave, options, slaveUrl, caller);
    return this.createdReply(submission);
  }

  /** `slave_volume`: a volume the service knows; an up host of its cluster names the slave. */
  private async slaveByVolume(body: SessionCreateBody, ref: SlaveVolumeRef): Promise<ResolvedSlave> {
    if (body.slave_host_name !== undefined || body.slave_volume_name !== undefined) {
      throw new BodyError([
        {
          path: 'slave_volume',
          message: 'give either slave_volume or slave_host_name with slave_volume_name, not both',
        },
      ]);
    }
    if (ref.id === undefined) throw new BodyError([{ path: 'slave_volume', message: 'needs an id' }]);
    const [volume] = await this.volumes.findByIds([ref.id]);
    if (!volume) throw OvirtFault.notFound('gluster volume', ref.id);
    return { hostName: (await this.slaveHost(volume)).address, volumeName: volume.name, volume, unmanaged: null };
  }

  /**
   * `slave_host_name` with `slave_volume_name`: a registered host's volume, or a host the service does not
   * manage, which the one-time root password makes reachable (installOnUnmanaged).
   */
  private async slaveByAddress(body: SessionCreateBody): Promise<ResolvedSlave> {
    if (body.slave_host_name === undefined || body.slave_volume_name === undefined) {
      throw new BodyError([
        { path: 'slave_volume', message: 'give slave_volume, or slave_host_name and slave_volume_name' },
      ]);
    }
    const hostName = checkedField(() => validateHost(body.slave_host_name, 'slave_host_name'));
    const volumeName = checkedField(() => validateVolumeName(body.slave_volume_name, 'slave_volume_name'));
    const known = (await this.hostsNamed(hostName)).find((h) => h.clusterId !== null);
    if (!known) {
      const unmanaged = await this.installOnUnmanaged(hostName, body.slave_root_password, body.slave_fingerprint);
      return { hostName, volumeName, volume: null, unmanaged };
    }
    const volume = await this.volumeRows.findOneBy({ clusterId: known.clusterId, name: volumeName });
    if (!volume)
      throw OvirtFault.conflict(
        `The cluster of host ${known.name} has no volume ${volumeName} (refresh the cluster if it is new).`,
      );
    return { hostName, volumeName, volume, unmanaged: null };
  }

  /** A known slave volume must be up, another volume, with an up host; no session to the same slave; eligible unless forced. */
  private async checkEligible(master: GlusterVolumeEntity, slave: ResolvedSlave, force: boolean): Promise<void> {
    const slaveVolume = slave.volume;
    if (slaveVolume) {
      if (slaveVolume.id === master.id) throw OvirtFault.conflict('A volume cannot be its own slave.');
      if (slaveVolume.status !== 'up') throw OvirtFault.conflict(`The slave volume ${slaveVolume.name} is not up.`);
      const upHost = (await this.hosts.listByCluster(slaveVolume.clusterId)).some((h) => h.status === 'up');
      if (!upHost) throw OvirtFault.conflict(`No host of the slave volume's cluster is up.`);
    }
    await this.refuseDuplicate(master, slave.hostName, slave.volumeName, slaveVolume);
    if (slaveVolume && !force) {
      const feeding = await this.volumes.feedingSessions([slaveVolume.id]);
      const empty = slaveVolume.clusterId === master.clusterId ? null : await this.isEmpty(slaveVolume);
      const reasons = this.reasons(master, slaveVolume, feeding.has(slaveVolume.id), true, empty);
      if (reasons.length > 0) {
        throw OvirtFault.conflict(
          `The slave volume ${slaveVolume.name} is not eligible: ${reasons.join(', ')} (force=true creates the session anyway).`,
        );
      }
    }
  }

  private submitCreate(
    master: GlusterVolumeEntity,
    slave: ResolvedSlave,
    options: CreateOptions,
    slaveUrl: string,
    caller: Caller,
  ): Promise<ActionSubmission> {
    const params: SessionCreateParams = {
      masterClusterId: master.clusterId,
      masterVolumeId: master.id,
      slaveHostName: slave.hostName,
      slaveVolumeName: slave.volumeName,
      slaveClusterId: slave.volume?.clusterId ?? null,
      slaveVolumeId: slave.volume?.id ?? null,
      ...options,
      unmanagedSlave: slave.unmanaged,
    };
    return this.runner.submit(
      {
        action: GeoRepSessionCreate,
        targetType: 'gluster_volume',
        targetId: master.id,
        description: `Creating geo-replication session ${master.name} -> ${slaveUrl}`,
        params,
        conflict: 'queue',
        eventRefs: { clusterId: master.clusterId },
        events: { success: EventCode.GeoRepSessionCreated, failure: EventCode.GeoRepSessionCreateFailed },
      },
      { correlationId: caller.correlationId, userId: caller.userId },
    );
  }

  /** The new session when the job ended within the wait; its fault when it failed; else 202 with the job. */
  private async createdReply(submission: ActionSubmission): Promise<GeoRepSessionView | ActionReply> {
    const job = submission.job;
    const jobHref = resourceHref(JOBS, job.id);
    if (submission.status === 'failed') {
      const status = (job.error?.status ?? 500) as FaultStatus;
      throw new OvirtFault(
        status,
        job.error?.reason ?? OPERATION_FAILED,
        `${job.error?.detail ?? 'the job failed'} (job ${jobHref})`,
      );
    }
    if (submission.status !== 'complete') {
      // Outlasted the wait: 202 with the job; the session appears in the collection when it ends.
      return actionReply(submission);
    }
    const sessionId = (job.result as { session?: unknown } | null)?.session;
    const [session] = typeof sessionId === 'string' ? await this.sessions.findByIds([sessionId]) : [];
    if (!session)
      throw new OvirtFault(
        500,
        OPERATION_FAILED,
        `The session was created but could not be read back; refresh the cluster (job ${jobHref}).`,
      );
    return sessionView(session);
  }

  /** An up host of the slave volume's cluster (one holding a brick first): its address names the slave. */
  private async slaveHost(volume: GlusterVolumeEntity): Promise<HostEntity> {
    const hosts = (await this.hosts.listByCluster(volume.clusterId)).filter((h) => h.status === 'up');
    const brickHosts = new Set((await this.brickRows.find({ where: { volumeId: volume.id } })).map((b) => b.hostId));
    hosts.sort((a, b) => Number(brickHosts.has(b.id)) - Number(brickHosts.has(a.id)) || a.name.localeCompare(b.name));
    if (hosts.length === 0) throw OvirtFault.conflict(`No host of the slave volume's cluster is up.`);
    const host = hosts.find((h) => isIPv4(h.address) || !h.address.includes(':')) ?? hosts[0];
    return host;
  }

  private async hostsNamed(address: string): Promise<HostEntity[]> {
    return (await this.hostRows.find({ order: { name: 'ASC' } })).filter(
      (h) => h.address.toLowerCase() === address.toLowerCase(),
    );
  }

  private async refuseDuplicate(
    master: GlusterVolumeEntity,
    host: string,
    volume: string,
    slave: GlusterVolumeEntity | null,
  ): Promise<void> {
    const existing = await this.sessionRows.findBy({ masterVolumeId: master.id });
    const dup = existing.find(
      (s) =>
        (slave !== null && s.slaveVolumeId === slave.id) ||
        (s.slaveHostName.toLowerCase() === host.toLowerCase() && s.slaveVolumeName === volume),
    );
    if (dup)
      throw OvirtFault.conflict(
        `The master volume ${master.name} already has a geo-replication session to ${dup.slaveHostName}::${dup.slaveVolumeName} (${dup.id}).`,
      );
  }

  /**
   * oVirt's one-time password: installs the service key for root on the unmanaged slave and pins its
   * host key; the password goes nowhere else. It is sent only to a host presenting the fingerprint
   * the admin confirmed: without one, the fault names the key the host presents (nothing is sent).
   */
  private async installOnUnmanaged(
    address: string,
    password: string | undefined,
    fingerprint: string | undefined,
  ): Promise<{ port: number; fingerprint: string }> {
    if (password === undefined) {
      throw new BodyError([
        {
          path: 'slave_root_password',
          message:
            'is needed for a slave host the service does not manage (or register the slave host and refresh its cluster)',
        },
      ]);
    }
    const endpoint = { host: address, port: 22, username: 'root' };
    if (fingerprint === undefined) {
      const presented = await this.ssh.presentedHostKey(endpoint).catch((e: Error) => {
        throw new OvirtFault(502, OPERATION_FAILED, `The SSH host key of ${address} could not be read: ${e.message}`);
      });
      throw new BodyError([
        {
          path: 'slave_fingerprint',
          message: `is needed with slave_root_password: ${address} presents the host key ${presented}; confirm it out of band, then send it as slave_fingerprint`,
        },
      ]);
    }
    if (!isFingerprint(fingerprint))
      throw new BodyError([{ path: 'slave_fingerprint', message: 'must look like SHA256:<43 base64 characters>' }]);
    try {
      const installed = await this.ssh.installPublicKeyWithPassword(
        { ...endpoint, pinnedFingerprint: fingerprint },
        password,
        this.serviceKey.publicKey,
      );
      return { port: endpoint.port, fingerprint: installed.hostFingerprint };
    } catch (e) {
      throw new OvirtFault(
        502,
        OPERATION_FAILED,
        `The service key could not be installed on ${address} with the password given: ${(e as Error).message}`,
      );
    }
  }
}

/** The request's user, group, method and flags, checked (400 before anything is looked up). */
function requestedOptions(body: SessionCreateBody): CreateOptions {
  const userName =
    body.user_name === undefined ? 'root' : checkedField(() => validateUserName(body.user_name, 'user_name'));
  const userGroup =
    body.user_group === undefined ? null : checkedField(() => validateGroupName(body.user_group, 'user_group'));
  if (userName === 'root' && userGroup !== null) {
    throw new BodyError([{ path: 'user_group', message: 'is only for a non-root user_name (the mount-broker group)' }]);
  }
  const method: CreateMethod = body.method ?? 'no_verify';
  if (userName !== 'root' && method === 'push_pem') {
    // gluster's push-pem for a non-root user needs root on the master to reach user@slave and the
    // keys copied by the hook; the service installs them itself with no_verify.
    throw new BodyError([
      { path: 'method', message: 'push_pem is only offered for root sessions; a non-root session uses no_verify' },
    ]);
  }
  return {
    userName,
    userGroup,
    force: body.force === true,
    start: body.start === true,
    enforcePreflight: body.enforce_preflight === true,
    method,
  };
}

/** The one-time password and the fingerprint are only for a slave host the service does not manage. */
function refuseUnmanagedOnlyFields(body: SessionCreateBody, slave: ResolvedSlave): void {
  if (body.slave_root_password !== undefined && slave.unmanaged === null) {
    throw new BodyError([
      { path: 'slave_root_password', message: 'is only for a slave host the service does not manage' },
    ]);
  }
  if (body.slave_fingerprint !== undefined && slave.unmanaged === null) {
    throw new BodyError([
      {
        path: 'slave_fingerprint',
        message: 'is only for a slave host the service does not manage (with slave_root_password)',
      },
    ]);
  }
}

/** TARGET_SEARCH has the name only. */
function matchesSearch(v: GlusterVolumeEntity, query: ListQuery): boolean {
  return query.search.conditions.every((c) => matchesSearchValue(c.value, v.name, query.caseSensitive) !== c.negate);
}
