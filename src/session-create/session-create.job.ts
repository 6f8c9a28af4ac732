import { Inject, Injectable } from '@nestjs/common';
import { ClustersRepository } from '../clusters/clusters.repository';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DiscoverySync } from '../discovery/discovery-sync';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import { SessionsRepository } from '../sessions/sessions.repository';
import {
  GeoRepCreateOptions,
  GeoRepSessionRef,
  GlusterArgumentError,
  GlusterCommand,
  GlusterCommandError,
  geoRepConfigSetCommand,
  geoRepCreateCommand,
  geoRepStartCommand,
  geoRepSlaveUrl,
  geoRepStatusCommand,
  glusterUuidCommand,
  glusterWorkdirCommand,
  gsecCreateCommand,
  parseGeoRepAction,
  parseGeoRepConfigSet,
  parseGeoRepStatus,
  parseUuidGet,
  parseVolumeInfo,
  volumeInfoCommand,
  volumeSetReadOnlyCommand,
} from '../gluster';
import { HostEntity } from '../hosts/host.entity';
import { HostShell, sshTargetOf } from '../hosts/host-shell';
import { HostsRepository } from '../hosts/hosts.repository';
import { ActionContext, ActionOutcome, StepHandle } from '../jobs/action-executor';
import { ActionFailedError } from '../jobs/action-failure';
import { createVerdict, PreflightCheck } from '../preflight/preflight-checks';
import { DEFAULT_GEOREP_SSH_PORT, PreflightService } from '../preflight/preflight.service';
import { OnJob } from '../queue/on-job.decorator';
import { asActionFailure } from '../hosts/host-failures';
import { SessionGluster } from '../session-worker/session-gluster';
import { SshExecResult, SshTarget } from '../ssh';
import { GlusterVolumeEntity } from '../volumes/gluster-volume.entity';
import { VolumesRepository } from '../volumes/volumes.repository';
import {
  appendAuthorizedKeysCommand,
  catFileCommand,
  checkAuthorizedKeysCommand,
  parseAppendResult,
  parseCommonSecretPem,
  parseMissingCount,
  parsePlainPublicKey,
  rootIdentityCommand,
  sshTrustCheckCommand,
} from '../gluster/georep-keys';
import type { KnownPeer } from '../gluster';
import {
  clearRestartPendingCommand,
  geoRepLogPermissionsCommand,
  glusterdAnswersCommand,
  glusterdRestartShellCommand,
  mountBrokerExecuteProblem,
  mountBrokerPrepareCommand,
  mountBrokerSetupCommands,
  mountBrokerStateCommand,
  parseMountBrokerState,
  parsePrepareResult,
  parseGlusterWorkdir,
  parseSessionPemWritten,
  parseSlaveUserCheck,
  sessionPemWriteCommand,
  SlavePeerWithoutKeys,
  slavePeersWithoutKeys,
  slavePeersWithoutKeysWarning,
  slaveUserCheckCommand,
  slaveUserProblem,
} from '../gluster/mount-broker';
import { GeoRepSessionCreate, SessionCreateParams } from './session-create-jobs';

/** How long the keys may take to reach the slave after `create` (pitfall 3: the push-pem hook runs after create returns). */
const KEYS_WAIT_MS = 120_000;
const KEYS_POLL_MS = 1000;
/** How often the job asks a restarted glusterd whether it answers again. */
const GLUSTERD_POLL_MS = 1000;

/** A slave host the job writes keys to: a registered host, or an unmanaged one reached as root. */
interface SlaveEndpoint {
  readonly name: string;
  readonly host: HostEntity | null;
  readonly target: SshTarget;
}

/** What the validation step found: every later step works on it. */
interface CreateTarget {
  readonly ref: GeoRepSessionRef;
  readonly slaves: SlaveEndpoint[];
  /** gluster already lists the session (a re-run after a crash): it is not created again. */
  readonly exists: boolean;
  /** The mount-broker group of a non-root session; null for root. */
  readonly group: string | null;
}

interface PreflightOutcome {
  readonly checks: PreflightCheck[];
  /** The checks worth a warning event (the job goes on). */
  readonly flagged: string[];
}

interface StoredSessionKeys {
  /** Where the first slave host stored the session's pem file (the warning names it). */
  readonly pemPath: string;
  readonly peersWithoutKeys: SlavePeerWithoutKeys[];
}

type CreateMode = GeoRepCreateOptions['mode'];

/**
 * The create job (`POST …/georeplication-sessions`), oVirt's CreateGlusterVolumeGeoRepSessionCommand
 * with the lab's lessons: validate; gsec_create and the common_secret.pem.pub keys appended to the
 * slave user's authorized_keys on every slave host (no_verify), or root SSH from the master hosts to
 * the slave set up and verified (push_pem); `create`; `secondary-access-mount true` (pitfall 1);
 * wait until the keys are really in place (pitfall 3); optional start; refresh. Every step reads the
 * real state first, so a re-run after a crash does not create twice.
 */
@Injectable()
export class SessionCreateJob {
  constructor(
    private readonly gluster: SessionGluster,
    private readonly shell: HostShell,
    private readonly hosts: HostsRepository,
    private readonly volumes: VolumesRepository,
    private readonly clusters: ClustersRepository,
    private readonly sessions: SessionsRepository,
    private readonly sync: DiscoverySync,
    private readonly preflight: PreflightService,
    private readonly events: EventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @OnJob(GeoRepSessionCreate)
  async run(ctx: ActionContext<SessionCreateParams>): Promise<ActionOutcome> {
    const p = ctx.params;
    const target = await ctx.step('Validating the master and slave volumes', (step) => this.validateTarget(p, step));
    const { ref, slaves, group } = target;
    const url = geoRepSlaveUrl(ref);
    const preflight = await ctx.step('Preflight: GlusterFS versions, clocks, capacity, rsync', () =>
      this.runPreflight(p, slaves),
    );
    await this.reportPreflightWarnings(ctx, ref, url, preflight);
    if (group !== null) {
      await ctx.step(`Setting up the mount broker for ${p.userName} (group ${group}) on the slave hosts`, (step) =>
        this.setUpMountBroker(p, group, slaves, step),
      );
    }
    const keys = await ctx.step('Creating the geo-replication keys (gsec_create) on a master host', (step) =>
      this.createKeys(p, step),
    );
    if (p.method === 'push_pem') {
      await ctx.step('Setting up passwordless SSH from the master hosts to the slave host', (step) =>
        this.setUpPushPemTrust(p, slaves, step),
      );
    } else {
      await ctx.step(`Adding the keys to ${p.userName}'s authorized_keys on every slave host`, (step) =>
        this.addToAuthorizedKeys(p, keys, slaves, step),
      );
    }
    if (!target.exists) {
      const mode = createMode(p);
      await ctx.step(`Creating the session (${mode}${p.force ? ', force' : ''})`, (step) =>
        this.createSession(p, ref, mode, step),
      );
    }
    if (group !== null) {
      const stored = await ctx.step(
        `Storing the session's keys for ${p.userName} in glusterd's directory on the slave hosts and making ${p.slaveVolumeName} read-only`,
        (step) => this.storeSessionKeys(p, ref.masterVolume, keys, slaves, step),
      );
      await this.reportPeersWithoutKeys(ctx, slaves, stored);
    }
    await ctx.step('Setting secondary-access-mount true', (step) => this.setAccessMount(p, ref, step));
    await ctx.step('Waiting until the keys are in place on every slave host', (step) =>
      this.waitForKeys(p, keys, slaves, step),
    );
    const startReturnedAt = p.start
      ? await ctx.step('Starting the session', (step) => this.start(p, ref, step)).then(() => new Date())
      : null;
    const session = await ctx.step('Refreshing the master cluster', (step) =>
      this.refreshAndFind(ctx, startReturnedAt, step),
    );
    return createdOutcome(p, ref, url, preflight, session);
  }

  /**
   * A root no_verify session created as steps of another job (a failback's reverse session): the
   * keys from gsec_create appended on every slave host, `create no-verify` (with `force`) unless gluster
   * already lists it, `secondary-access-mount true`, and the keys checked in place. No preflight, no start.
   */
  async createRootSession(ctx: ActionContext<object>, p: SessionCreateParams): Promise<GeoRepSessionRef> {
    if (p.userName !== 'root' || p.method !== 'no_verify')
      throw ActionFailedError.refused('Only a root no_verify session can be created as part of another action.');
    const url = `${p.slaveHostName}::${p.slaveVolumeName}`;
    const target = await ctx.step(`Reading whether gluster lists the session to ${url}`, (step) =>
      this.validateTarget(p, step),
    );
    const keys = await ctx.step('Creating the geo-replication keys (gsec_create) on a master host', (step) =>
      this.createKeys(p, step),
    );
    await ctx.step("Adding the keys to root's authorized_keys on every slave host", (step) =>
      this.addToAuthorizedKeys(p, keys, target.slaves, step),
    );
    if (!target.exists) {
      await ctx.step(`Creating the session to ${url} (no-verify${p.force ? ', force' : ''})`, (step) =>
        this.createSession(p, target.ref, createMode(p), step),
      );
    }
    await ctx.step('Setting secondary-access-mount true', (step) => this.setAccessMount(p, target.ref, step));
    await ctx.step('Waiting until the keys are in place on every slave host', (step) =>
      this.waitForKeys(p, keys, target.slaves, step),
    );
    return target.ref;
  }

  /** The volumes are known and up; whether gluster already lists the session; the slave hosts and the user's group. */
  private async validateTarget(p: SessionCreateParams, step: StepHandle): Promise<CreateTarget> {
    const master = await this.validateVolumes(p);
    const ref: GeoRepSessionRef = {
      masterVolume: master.name,
      slaveHost: p.slaveHostName,
      slaveVolume: p.slaveVolumeName,
      slaveUser: p.userName,
    };
    const exists = await this.readExisting(p, ref, step);
    const slaves = await this.slaveEndpoints(p);
    // a non-root session: the user and its mount-broker group must exist on every slave host
    const group = p.userName === 'root' ? null : await this.checkSlaveUser(p, slaves, step);
    return { ref, slaves, exists, group };
  }

  /** The master volume (and the slave volume, when the service manages it) is still known and up. */
  private async validateVolumes(p: SessionCreateParams): Promise<GlusterVolumeEntity> {
    const [master] = await this.volumes.findByIds([p.masterVolumeId]);
    if (!master) throw ActionFailedError.refused('The master volume is no longer known.');
    if (master.status !== 'up') throw ActionFailedError.refused(`The master volume ${master.name} is not up.`);
    if (p.slaveVolumeId) {
      const [slave] = await this.volumes.findByIds([p.slaveVolumeId]);
      if (!slave) throw ActionFailedError.refused('The slave volume is no longer known.');
      if (slave.status !== 'up') throw ActionFailedError.refused(`The slave volume ${slave.name} is not up.`);
    }
    return master;
  }

  /** Whether gluster already lists the session (a re-run after a crash): then it is not created again. */
  private async readExisting(p: SessionCreateParams, ref: GeoRepSessionRef, step: StepHandle): Promise<boolean> {
    const status = await this.runOnMaster(p, step, geoRepStatusCommand(ref));
    try {
      return parseGeoRepStatus(status).some(
        (s) => s.slaveHost === p.slaveHostName && s.slaveVolume === p.slaveVolumeName,
      );
    } catch (e) {
      if (!(e instanceof GlusterCommandError && e.kind === 'no_session')) throw asActionFailure(e);
      return false;
    }
  }

  private async runPreflight(p: SessionCreateParams, slaves: SlaveEndpoint[]): Promise<PreflightOutcome> {
    const checks = await this.preflight.checkPair({
      masterClusterId: p.masterClusterId,
      masterVolumeId: p.masterVolumeId,
      slaveClusterId: p.slaveClusterId,
      slaveVolumeId: p.slaveVolumeId,
      slaveHostId: slaves.find((s) => s.host !== null)?.host?.id ?? null,
      slaveHostName: p.slaveHostName,
      user: p.userName,
      port: DEFAULT_GEOREP_SSH_PORT,
      // this job sets secondary-access-mount true below: the safe remedy of LAB.md pitfall 1, applied
      accessMount: 'true',
      ssh: false,
    });
    const verdict = createVerdict(checks, p.enforcePreflight);
    if (verdict.refusal) throw ActionFailedError.refused(verdict.refusal);
    return { checks, flagged: verdict.flagged };
  }

  private async reportPreflightWarnings(
    ctx: ActionContext<SessionCreateParams>,
    ref: GeoRepSessionRef,
    url: string,
    preflight: PreflightOutcome,
  ): Promise<void> {
    if (preflight.flagged.length === 0) return;
    const p = ctx.params;
    await this.events.record({
      code: EventCode.GeoRepPreflightWarning,
      severity: 'warning',
      description:
        `Preflight of geo-replication session ${ref.masterVolume} -> ${url}: ${preflight.flagged.join('; ')}`.slice(
          0,
          4000,
        ),
      clusterId: p.masterClusterId,
      jobId: ctx.job.id,
      correlationId: ctx.job.correlationId,
      userId: ctx.job.ownerId,
      targetType: 'gluster_volume',
      targetId: p.masterVolumeId,
    });
  }

  /** gsec_create on a master host, then the lines of common_secret.pem.pub it wrote. */
  private async createKeys(p: SessionCreateParams, step: StepHandle): Promise<string[]> {
    const gsec = gsecCreateCommand();
    const cat = catFileCommand();
    const both: GlusterCommand = {
      argv: [...gsec.argv],
      command: `${gsec.command} > /dev/null && ${cat.command}`,
      expectsXml: false,
      output: 'plain',
    };
    const out = await this.runOnMaster(p, step, both);
    if (out.exitCode !== 0)
      throw ActionFailedError.refused(
        `gsec_create failed: ${oneLine(out.stderr || out.stdout)}`,
        EventCode.GeoRepSessionCreateFailed,
      );
    try {
      return parseCommonSecretPem(out.stdout);
    } catch (e) {
      if (e instanceof GlusterArgumentError) throw ActionFailedError.refused(e.message);
      throw e;
    }
  }

  /** no_verify: the keys appended to the slave user's authorized_keys on every slave host. */
  private async addToAuthorizedKeys(
    p: SessionCreateParams,
    keys: readonly string[],
    slaves: SlaveEndpoint[],
    step: StepHandle,
  ): Promise<void> {
    for (const slave of slaves) {
      const out = await this.onSlave(slave, appendAuthorizedKeysCommand(p.userName), `${keys.join('\n')}\n`, step);
      if (out.exitCode !== 0 || !parseAppendResult(out.stdout)) {
        throw ActionFailedError.refused(`The keys could not be written on ${slave.name}: ${oneLine(out.stderr)}`);
      }
    }
  }

  private async createSession(
    p: SessionCreateParams,
    ref: GeoRepSessionRef,
    mode: CreateMode,
    step: StepHandle,
  ): Promise<void> {
    const out = await this.runOnMaster(p, step, geoRepCreateCommand(ref, { mode, force: p.force }));
    parseOrFail(() => parseGeoRepAction(out));
  }

  private async reportPeersWithoutKeys(
    ctx: ActionContext<SessionCreateParams>,
    slaves: SlaveEndpoint[],
    stored: StoredSessionKeys,
  ): Promise<void> {
    if (stored.peersWithoutKeys.length === 0) return;
    const p = ctx.params;
    await this.events.record({
      code: EventCode.GeoRepSlavePeersWithoutKeys,
      severity: 'warning',
      description: slavePeersWithoutKeysWarning(
        stored.peersWithoutKeys,
        p.userName,
        p.slaveVolumeName,
        stored.pemPath,
        slaves[0].name,
      ).slice(0, 4000),
      clusterId: p.slaveClusterId ?? p.masterClusterId,
      jobId: ctx.job.id,
      correlationId: ctx.job.correlationId,
      userId: ctx.job.ownerId,
      targetType: 'gluster_volume',
      targetId: p.slaveVolumeId ?? p.masterVolumeId,
    });
  }

  /** LAB.md pitfall 1. */
  private async setAccessMount(p: SessionCreateParams, ref: GeoRepSessionRef, step: StepHandle): Promise<void> {
    const out = await this.runOnMaster(p, step, geoRepConfigSetCommand(ref, 'secondary-access-mount', true));
    parseOrFail(() => parseGeoRepConfigSet(out));
  }

  /** Pitfall 3: with push-pem the keys reach the slave after `create` returns; polls until none is missing. */
  private async waitForKeys(
    p: SessionCreateParams,
    keys: readonly string[],
    slaves: SlaveEndpoint[],
    step: StepHandle,
  ): Promise<void> {
    const deadline = Date.now() + KEYS_WAIT_MS;
    for (;;) {
      let missing = 0;
      for (const slave of slaves) {
        const out = await this.onSlave(slave, checkAuthorizedKeysCommand(p.userName), `${keys.join('\n')}\n`, step);
        const n = out.exitCode === 0 ? parseMissingCount(out.stdout) : null;
        if (n === null)
          throw ActionFailedError.refused(`The keys could not be checked on ${slave.name}: ${oneLine(out.stderr)}`);
        missing += n;
      }
      if (missing === 0) return;
      if (Date.now() > deadline) {
        throw ActionFailedError.timedOut(
          `The geo-replication keys did not reach ${p.userName}'s authorized_keys on the slave within ${KEYS_WAIT_MS / 1000} s.`,
        );
      }
      await new Promise((r) => setTimeout(r, KEYS_POLL_MS));
    }
  }

  private async start(p: SessionCreateParams, ref: GeoRepSessionRef, step: StepHandle): Promise<void> {
    const out = await this.runOnMaster(p, step, geoRepStartCommand(ref));
    parseOrFail(() => parseGeoRepAction(out));
  }

  /**
   * Discovery of the master cluster, then the new session's row. Started on request (`startReturnedAt`):
   * the service now wants it running (drift is judged against that).
   */
  private async refreshAndFind(
    ctx: ActionContext<SessionCreateParams>,
    startReturnedAt: Date | null,
    step: StepHandle,
  ): Promise<GeoRepSessionEntity> {
    const p = ctx.params;
    const origin = { jobId: ctx.job.id, correlationId: ctx.job.correlationId, userId: ctx.job.ownerId };
    const cluster = await this.clusters.findById(p.masterClusterId);
    if (!cluster) throw ActionFailedError.refused('The master cluster was removed.');
    try {
      await this.sync.syncCluster(cluster, origin, (h) => step.ranOn(h.id));
    } catch (e) {
      throw asActionFailure(e);
    }
    const rows = await this.sessions.listByVolume(p.masterVolumeId, {
      search: { conditions: [], sort: { field: 'slave_volume_name', descending: false } },
      caseSensitive: false,
    });
    const row = rows.find((s) => s.slaveHostName === p.slaveHostName && s.slaveVolumeName === p.slaveVolumeName);
    if (!row) throw ActionFailedError.refused('gluster does not list the new session.');
    if (startReturnedAt) await this.sessions.recordDesiredStatus(row.id, 'started', startReturnedAt);
    return row;
  }

  /** Runs on the first reachable master host; SSH failures as action failures (502/504). */
  private async runOnMaster(p: SessionCreateParams, step: StepHandle, command: GlusterCommand): Promise<SshExecResult> {
    const ran = await this.gluster.onCluster(p.masterClusterId, command);
    await step.ranOn(ran.host.id);
    return ran.output;
  }

  private async slaveEndpoints(p: SessionCreateParams): Promise<SlaveEndpoint[]> {
    if (p.unmanagedSlave) {
      return [
        {
          name: p.slaveHostName,
          host: null,
          target: {
            host: p.slaveHostName,
            port: p.unmanagedSlave.port,
            username: 'root',
            pinnedFingerprint: p.unmanagedSlave.fingerprint,
          },
        },
      ];
    }
    const hosts = p.slaveClusterId ? await this.hosts.listByCluster(p.slaveClusterId) : [];
    const up = hosts.filter((h) => h.status === 'up');
    if (up.length === 0) throw ActionFailedError.unreachable("No host of the slave volume's cluster is up.");
    return up.map((h) => ({ name: h.name, host: h, target: sshTargetOf(h) }));
  }

  private async onSlave(
    slave: SlaveEndpoint,
    command: GlusterCommand,
    stdin: string,
    step: StepHandle,
    timeoutMs?: number,
  ): Promise<SshExecResult> {
    const options = timeoutMs === undefined ? { stdin } : { stdin, timeoutMs };
    try {
      if (!slave.host) return await this.shell.runOnEndpoint(slave.target, command, options);
      const out = await this.shell.run(slave.host, command, slave.host.sshFingerprint, options);
      await step.ranOn(slave.host.id);
      return out;
    } catch (e) {
      throw asActionFailure(e);
    }
  }

  /**
   * The session's pem file (the key lines this job holds) in glusterd's geo-replication directory on every
   * slave host the job reaches, the slave volume's peers it does not reach, and `features.read-only on`.
   * No add_secret_pub, no `system:: copy file` (mount-broker.ts says why).
   *
   * What gluster's set_geo_rep_pem_keys.sh does, without root writing through the user's home (see
   * sessionPemWriteCommand). Replication does not need it when the job reached every slave host with the
   * keys (measured on the lab), but it keeps gluster's record of the session's keys on the slave hosts and
   * makes the slave volume read-only for everyone but geo-replication, as push-pem does for root.
   */
  private async storeSessionKeys(
    p: SessionCreateParams,
    masterVolume: string,
    keys: readonly string[],
    slaves: SlaveEndpoint[],
    step: StepHandle,
  ): Promise<StoredSessionKeys> {
    let pemPath = '';
    for (const slave of slaves) {
      const wd = await this.onSlave(slave, glusterWorkdirCommand(), '', step);
      const workdir = wd.exitCode === 0 ? parseGlusterWorkdir(wd.stdout) : null;
      if (workdir === null)
        throw ActionFailedError.unreachable(
          `glusterd's working directory could not be read on ${slave.name}: ${oneLine(wd.stderr || wd.stdout)}`,
        );
      const out = await this.onSlave(
        slave,
        sessionPemWriteCommand(workdir, masterVolume, p.slaveVolumeName),
        `${keys.join('\n')}\n`,
        step,
      );
      const written = out.exitCode === 0 ? parseSessionPemWritten(out.stdout) : null;
      if (written === null)
        throw ActionFailedError.refused(
          `The session's keys could not be stored on ${slave.name}: ${oneLine(out.stderr || out.stdout)}`,
        );
      pemPath ||= written;
    }
    const peersWithoutKeys = await this.slavePeersWithoutKeys(p, slaves, step);
    const ro = await this.onSlave(slaves[0], volumeSetReadOnlyCommand(p.slaveVolumeName, true), '', step);
    if (ro.exitCode !== 0) {
      throw ActionFailedError.refused(
        `${p.slaveVolumeName} could not be made read-only on ${slaves[0].name}: ${oneLine(ro.stderr || ro.stdout)}`,
      );
    }
    return { pemPath, peersWithoutKeys };
  }

  /** Peers holding bricks of the slave volume (as gluster lists them now) that are none of the slave hosts the job reached. */
  private async slavePeersWithoutKeys(
    p: SessionCreateParams,
    slaves: SlaveEndpoint[],
    step: StepHandle,
  ): Promise<SlavePeerWithoutKeys[]> {
    const info = await this.onSlave(slaves[0], volumeInfoCommand(p.slaveVolumeName), '', step);
    const volume = parseOrFail(() => parseVolumeInfo(info)).find((v) => v.name === p.slaveVolumeName);
    if (!volume)
      throw ActionFailedError.refused(`gluster on ${slaves[0].name} does not list the volume ${p.slaveVolumeName}.`);
    const reached: KnownPeer[] = [];
    for (const slave of slaves) {
      if (slave.host) {
        reached.push(slave.host);
        continue;
      }
      const out = await this.onSlave(slave, glusterUuidCommand(), '', step);
      let peerUuid: string | null = null;
      try {
        peerUuid = parseUuidGet(out);
      } catch {
        // matched by its address alone
      }
      reached.push({ address: slave.target.host, name: slave.name, peerUuid });
    }
    const registered = p.slaveClusterId ? await this.hosts.listByCluster(p.slaveClusterId) : [];
    return slavePeersWithoutKeys(volume.bricks, reached, registered);
  }

  /**
   * The user must exist on every slave host, with the group (user_group, else the user's primary
   * group on the first slave host) existing there and holding the user. Returns the group.
   */
  private async checkSlaveUser(p: SessionCreateParams, slaves: SlaveEndpoint[], step: StepHandle): Promise<string> {
    let group = p.userGroup;
    for (const slave of slaves) {
      const out = await this.onSlave(slave, slaveUserCheckCommand(p.userName, group), '', step);
      const check = out.exitCode === 0 ? parseSlaveUserCheck(out.stdout) : null;
      if (check === null)
        throw ActionFailedError.unreachable(
          `The user ${p.userName} could not be checked on ${slave.name}: ${oneLine(out.stderr || out.stdout)}`,
        );
      if (check.kind !== 'ok') throw ActionFailedError.refused(slaveUserProblem(check, p.userName, slave.name));
      group ??= check.group;
    }
    if (group === null) throw ActionFailedError.unreachable('No slave host to check the user on.');
    return group;
  }

  /**
   * oVirt's SetupGlusterGeoRepMountBrokerInternalCommand, idempotent: hosts whose glusterd.vol already
   * holds the set-up and have no restart pending are left alone; otherwise the root directory, the
   * four `gluster system:: execute mountbroker` settings (they reach every peer of the slave cluster),
   * then a glusterd restart (GEOREP_GLUSTERD_RESTART_COMMAND) on each such host, waiting until it
   * answers `volume info` again. A restart marker on each host makes a re-run after a crash restart
   * glusterd even when the file was already written.
   */
  private async setUpMountBroker(
    p: SessionCreateParams,
    group: string,
    slaves: SlaveEndpoint[],
    step: StepHandle,
  ): Promise<void> {
    const stale: SlaveEndpoint[] = [];
    for (const slave of slaves) {
      const out = await this.onSlave(slave, mountBrokerStateCommand(p.userName, group, p.slaveVolumeName), '', step);
      const state = out.exitCode === 0 ? parseMountBrokerState(out.stdout) : null;
      if (state === null)
        throw ActionFailedError.unreachable(
          `The mount-broker set-up could not be read on ${slave.name}: ${oneLine(out.stderr || out.stdout)}`,
        );
      if (!state.configured || state.pending) stale.push(slave);
    }
    if (stale.length > 0) await this.writeMountBrokerOptions(p, group, stale, step);
    // every time, on every slave host: an earlier root session's log directory is root's
    for (const slave of slaves) {
      const out = await this.onSlave(slave, geoRepLogPermissionsCommand(group), '', step);
      if (out.exitCode !== 0 || !out.stdout.includes('permissions=ok')) {
        throw ActionFailedError.refused(
          `The geo-replication log directories could not be given to ${group} on ${slave.name}: ${oneLine(out.stderr || out.stdout)}`,
        );
      }
    }
  }

  private async writeMountBrokerOptions(
    p: SessionCreateParams,
    group: string,
    stale: SlaveEndpoint[],
    step: StepHandle,
  ): Promise<void> {
    for (const slave of stale) {
      const out = await this.onSlave(slave, mountBrokerPrepareCommand(), '', step);
      if (out.exitCode !== 0 || parsePrepareResult(out.stdout) === null) {
        throw ActionFailedError.refused(
          `The mount-broker root could not be prepared on ${slave.name}: ${oneLine(out.stderr || out.stdout)}`,
        );
      }
    }
    for (const command of mountBrokerSetupCommands(p.userName, group, p.slaveVolumeName)) {
      const out = await this.onSlave(stale[0], command, '', step);
      const problem = mountBrokerExecuteProblem(out);
      if (problem !== null)
        throw ActionFailedError.refused(
          `${command.argv.slice(1).join(' ')} failed on ${stale[0].name}: ${problem.slice(0, 500)}`,
        );
    }
    const restart = glusterdRestartShellCommand(this.config.glusterdRestartCommand);
    const waitMs = this.config.glusterdRestartTimeoutMs;
    for (const slave of stale) {
      const out = await this.onSlave(slave, restart, '', step, waitMs);
      if (out.exitCode !== 0)
        throw ActionFailedError.unreachable(
          `Restarting glusterd on ${slave.name} failed (exit ${out.exitCode}): ${oneLine(out.stderr || out.stdout)}`,
        );
      const deadline = Date.now() + waitMs;
      for (;;) {
        const answer = await this.onSlave(slave, glusterdAnswersCommand(p.slaveVolumeName), '', step);
        if (answer.exitCode === 0) break;
        if (Date.now() > deadline) {
          throw ActionFailedError.timedOut(
            `glusterd on ${slave.name} did not answer within ${waitMs / 1000} s of its restart: ${oneLine(answer.stderr || answer.stdout)}`,
          );
        }
        await new Promise((r) => setTimeout(r, GLUSTERD_POLL_MS));
      }
      await this.onSlave(slave, clearRestartPendingCommand(), '', step);
    }
  }

  /**
   * push-pem: glusterd (and gverify.sh) on the master host ssh to the slave as root with root's
   * default identity. Every reachable master host's identity goes into the slave's root
   * authorized_keys, then each host proves it can log in without a password.
   */
  private async setUpPushPemTrust(p: SessionCreateParams, slaves: SlaveEndpoint[], step: StepHandle): Promise<void> {
    if (p.userName !== 'root') throw ActionFailedError.refused('push_pem is only offered for root sessions.');
    const masters = await this.hosts.listByCluster(p.masterClusterId);
    let verified = 0;
    const problems: string[] = [];
    for (const master of masters) {
      let identity: string;
      try {
        const out = await this.shell.run(master, rootIdentityCommand());
        if (out.exitCode !== 0) throw new Error(oneLine(out.stderr));
        identity = parsePlainPublicKey(out.stdout);
      } catch (e) {
        problems.push(`${master.name}: ${(e as Error).message}`);
        continue;
      }
      await step.ranOn(master.id);
      for (const slave of slaves) {
        const out = await this.onSlave(slave, appendAuthorizedKeysCommand('root'), `${identity}\n`, step);
        if (out.exitCode !== 0)
          throw ActionFailedError.refused(
            `The SSH key of ${master.name} could not be added on ${slave.name}: ${oneLine(out.stderr)}`,
          );
      }
      const check = await this.shell
        .run(master, sshTrustCheckCommand('root', p.slaveHostName))
        .catch((e: Error) => ({ exitCode: -1, stderr: e.message }));
      if (check.exitCode !== 0) {
        throw ActionFailedError.refused(
          `Passwordless SSH from ${master.name} to root@${p.slaveHostName} does not work: ${oneLine(check.stderr)}`,
        );
      }
      verified++;
    }
    if (verified === 0)
      throw ActionFailedError.unreachable(`No master host could be set up for push-pem: ${problems.join('; ')}`);
  }
}

function createMode(p: SessionCreateParams): CreateMode {
  return p.method === 'push_pem' ? 'push-pem' : 'no-verify';
}

function createdOutcome(
  p: SessionCreateParams,
  ref: GeoRepSessionRef,
  url: string,
  preflight: PreflightOutcome,
  session: GeoRepSessionEntity,
): ActionOutcome {
  return {
    result: {
      session: session.id,
      status: session.status,
      preflight: preflight.checks.map((c) => ({ name: c.name, result: c.result })),
    },
    description: `Geo-replication session ${ref.masterVolume} -> ${url} created${p.start ? ' and started' : ''} (${session.status}).`,
  };
}

function parseOrFail<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw asActionFailure(e);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 500);
}
