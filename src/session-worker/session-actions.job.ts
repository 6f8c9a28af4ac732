import { Injectable } from '@nestjs/common';
import { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import { sessionName } from '../sessions/session.representation';
import { SessionsRepository } from '../sessions/sessions.repository';
import {
  findGeoRepOption,
  geoRepCheckpointNowCommand,
  geoRepConfigGetCommand,
  geoRepConfigResetCommand,
  geoRepConfigSetCommand,
  geoRepDeleteCommand,
  GeoRepSessionRollupStatus,
  parseCheckpointEpoch,
  parseGeoRepAction,
  parseGeoRepConfigSet,
} from '../gluster';
import { ActionContext, ActionOutcome } from '../jobs/action-executor';
import { ActionFailedError } from '../jobs/action-failure';
import { OnJob } from '../queue/on-job.decorator';
import {
  SessionCheckpoint,
  SessionConfigReset,
  SessionConfigResetParams,
  SessionConfigSet,
  SessionConfigSetParams,
  SessionControl,
  SessionControlParams,
  SessionDelete,
  SessionDeleteParams,
} from '../sessions/session-jobs';
import { desiredStatusAfter } from '../sessions/stall-detection';
import { ControlVerb, SessionGluster } from './session-gluster';
import { expectedStatusAfter, refusalOf } from '../sessions/session-rules';
import { failedOverRefusal } from '../sessions/failover-logic';

const RUNNING: readonly GeoRepSessionRollupStatus[] = ['active', 'passive', 'initializing', 'partial_faulty', 'faulty'];

/**
 * The worker side of the session actions. Each handler reads the real state first (the session's own
 * status, see SessionGluster.refresh), so a re-run after a worker crash finds a verb that already took
 * effect and ends without running it again; and reads it again at the end, so the answer shows the new
 * state (with the options, when the action changed one).
 */
@Injectable()
export class SessionActions {
  constructor(
    private readonly gluster: SessionGluster,
    private readonly sessions: SessionsRepository,
  ) {}

  @OnJob(SessionControl)
  async control(ctx: ActionContext<SessionControlParams>): Promise<ActionOutcome> {
    const verb = ctx.params.verb;
    const force = ctx.params.force === true;
    let session = await this.current(ctx);
    if (expectedStatusAfter(verb).includes(session.status) && !force) {
      await this.sessions.recordDesiredStatus(session.id, desiredStatusAfter(verb), new Date());
      return {
        result: { status: session.status, ran: false },
        description: `${sessionName(session)} is already ${session.status}; nothing to do.`,
      };
    }
    const failedOver =
      verb === 'start' || verb === 'resume'
        ? failedOverRefusal(session, verb === 'start' ? 'starting it' : 'resuming it')
        : null;
    const refusal = failedOver ?? refusalOf(verb, session.status, force);
    if (refusal) throw ActionFailedError.refused(refusal);
    await ctx.step(`${verb}${force ? ' force' : ''} on ${sessionName(session)}`, (step) =>
      this.gluster.control(session, verb, { force }, (host) => step.ranOn(host.id)),
    );
    session = await this.rereadUntil(ctx, session, verb);
    return {
      result: { status: session.status, ran: true },
      description: `${sessionName(session)}: ${verb} done; the session is ${session.status}.`,
    };
  }

  /** `config checkpoint now`, then the checkpoint's epoch as gluster stored it (the reference for completion). */
  @OnJob(SessionCheckpoint)
  async checkpoint(ctx: ActionContext): Promise<ActionOutcome> {
    let session = await this.current(ctx);
    await ctx.step(`Setting checkpoint now on ${sessionName(session)}`, (step) =>
      this.gluster.run(session, geoRepCheckpointNowCommand, parseGeoRepConfigSet, (host) => step.ranOn(host.id)),
    );
    const epoch = await ctx.step('Reading the checkpoint back', () =>
      this.gluster.run(session, (ref) => geoRepConfigGetCommand(ref, 'checkpoint'), parseCheckpointEpoch),
    );
    if (epoch === null) throw ActionFailedError.refused('gluster reports no checkpoint after setting one');
    session = await this.reread(ctx, session, { withOptions: true });
    const time = new Date(epoch * 1000).toISOString();
    return {
      result: { checkpoint: epoch, checkpoint_time: time },
      description: `Checkpoint set on ${sessionName(session)} at ${time}.`,
    };
  }

  @OnJob(SessionDelete)
  async delete(ctx: ActionContext<SessionDeleteParams>): Promise<ActionOutcome> {
    const session = await this.current(ctx, true);
    const refusal = refusalOf('delete', session.status, false);
    if (refusal) throw ActionFailedError.refused(refusal);
    const resetSyncTime = ctx.params.reset_sync_time === true;
    await ctx.step(`Deleting ${sessionName(session)}${resetSyncTime ? ' (reset-sync-time)' : ''}`, (step) =>
      this.gluster.run(
        session,
        (ref) => geoRepDeleteCommand(ref, { resetSyncTime }),
        parseGeoRepAction,
        (host) => step.ranOn(host.id),
      ),
    );
    // Gone from gluster, and nothing else changed: forget it here, with no re-read of the cluster.
    await this.sessions.remove(session.id);
    return { result: { deleted: true }, description: `${sessionName(session)} deleted.` };
  }

  @OnJob(SessionConfigSet)
  async setOption(ctx: ActionContext<SessionConfigSetParams>): Promise<ActionOutcome> {
    return this.configure(ctx, ctx.params.name, ctx.params.value);
  }

  @OnJob(SessionConfigReset)
  async resetOption(ctx: ActionContext<SessionConfigResetParams>): Promise<ActionOutcome> {
    return this.configure(ctx, ctx.params.name, null);
  }

  /**
   * Sets (or with null resets) an option, then restarts a running session when the option needs it:
   * stop and start, so the new value is in force when the job ends.
   */
  private async configure(ctx: ActionContext, name: string, value: string | null): Promise<ActionOutcome> {
    let session = await this.current(ctx);
    const what = value === null ? `Resetting ${name}` : `Setting ${name} to ${value}`;
    await ctx.step(`${what} on ${sessionName(session)}`, (step) =>
      this.gluster.run(
        session,
        (ref) => (value === null ? geoRepConfigResetCommand(ref, name) : geoRepConfigSetCommand(ref, name, value)),
        parseGeoRepConfigSet,
        (host) => step.ranOn(host.id),
      ),
    );
    const restart = findGeoRepOption(name)?.restartsSession === true && RUNNING.includes(session.status);
    if (restart) {
      await ctx.step(`Restarting ${sessionName(session)} to apply ${name}`, (step) =>
        this.gluster.restart(session, (host) => step.ranOn(host.id)),
      );
    }
    session = restart
      ? await this.rereadUntil(ctx, session, 'start', { withOptions: true })
      : await this.reread(ctx, session, { withOptions: true });
    const done = value === null ? `${name} reset to its default` : `${name} set to ${value}`;
    return {
      result: { option: name, value, restarted: restart },
      description: `${sessionName(session)}: ${done}${restart ? '; the session was restarted to apply it' : ''}.`,
    };
  }

  /** The session as gluster has it now; 409 when it is gone. */
  private async current(ctx: ActionContext, forDelete = false): Promise<GeoRepSessionEntity> {
    const [known] = ctx.job.targetId === null ? [] : await this.sessions.findByIds([ctx.job.targetId]);
    if (!known)
      throw ActionFailedError.refused('The session is no longer known; it was removed before the action could run.');
    const fresh = await ctx.step(
      `Reading the state of ${sessionName(known)}`,
      () => this.gluster.refresh(known, this.origin(ctx)),
      'validating',
    );
    if (!fresh) {
      throw ActionFailedError.refused(
        forDelete ? 'The session was already deleted in gluster.' : 'The session no longer exists in gluster.',
      );
    }
    return fresh;
  }

  /** After a verb: the session's status once gluster's status files show it (see SessionGluster.refreshSettled). */
  private async rereadUntil(
    ctx: ActionContext,
    session: GeoRepSessionEntity,
    verb: ControlVerb,
    options: { withOptions?: boolean } = {},
  ): Promise<GeoRepSessionEntity> {
    const fresh = await ctx.step(
      'Refreshing the session',
      () => this.gluster.refreshSettled(session, this.origin(ctx), verb, options),
      'finalizing',
    );
    return fresh ?? session;
  }

  private async reread(
    ctx: ActionContext,
    session: GeoRepSessionEntity,
    options: { withOptions?: boolean } = {},
  ): Promise<GeoRepSessionEntity> {
    const fresh = await ctx.step(
      'Refreshing the session',
      () => this.gluster.refresh(session, this.origin(ctx), options),
      'finalizing',
    );
    return fresh ?? session;
  }

  private origin(ctx: ActionContext) {
    return { jobId: ctx.job.id, correlationId: ctx.job.correlationId, userId: ctx.job.ownerId };
  }
}
