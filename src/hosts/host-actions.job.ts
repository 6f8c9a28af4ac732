import { Injectable } from '@nestjs/common';
import { ActionContext, ActionOutcome } from '../jobs/action-executor';
import { ActionFailedError, OPERATION_FAILED } from '../jobs/action-failure';
import { OnJob } from '../queue/on-job.decorator';
import { HostRefresh, HostRepin, HostRepinParams } from './host-jobs';
import { SshConnectError, SshHostKeyMismatchError } from '../ssh';
import { HostEntity } from './host.entity';
import { ContactOutcome, HostContact } from './host-contact';
import { HostShell } from './host-shell';
import { HostsRepository } from './hosts.repository';

/** A contact that did not bring the host up, as the failed action answers it. */
function failedContact(host: HostEntity, outcome: ContactOutcome): ActionFailedError {
  // 502: the host could not be reached; 409: it was reached and refused (key changed, no gluster).
  const status = outcome.failure === 'unreachable' || outcome.failure === 'glusterd_down' ? 502 : 409;
  return new ActionFailedError(
    status,
    OPERATION_FAILED,
    `Host ${host.name} is ${outcome.status}: ${outcome.detail ?? 'unknown reason'}`,
  );
}

/**
 * The worker side of `POST /hosts/{id}/refresh` and `/repin`. Both only read the host and record what
 * they found, so a re-run after a crash is harmless.
 */
@Injectable()
export class HostActions {
  constructor(
    private readonly hosts: HostsRepository,
    private readonly contact: HostContact,
    private readonly shell: HostShell,
  ) {}

  @OnJob(HostRefresh)
  async refresh(ctx: ActionContext): Promise<ActionOutcome> {
    const host = await this.load(ctx);
    const outcome = await ctx.step(
      `Contacting host ${host.name} (${host.sshUser}@${host.address}:${host.sshPort})`,
      async (step) => {
        await step.ranOn(host.id);
        return this.contact.probe(host, this.cause(ctx));
      },
    );
    if (outcome.status !== 'up') throw failedContact(host, outcome);
    return {
      result: { status: outcome.status, gluster_version: outcome.version, peer_uuid: outcome.peerUuid },
      description: `Host ${host.name} refreshed: up, glusterfs ${outcome.version}.`,
    };
  }

  /**
   * Accepts the key the host presents now (or only the given fingerprint, when the admin names the one
   * they expect), then contacts the host with the new pin.
   */
  @OnJob(HostRepin)
  async repin(ctx: ActionContext<HostRepinParams>): Promise<ActionOutcome> {
    const host = await this.load(ctx);
    const expected = typeof ctx.params.fingerprint === 'string' ? ctx.params.fingerprint : null;
    const presented = await ctx.step(`Reading the host key of ${host.name}`, async (step) => {
      await step.ranOn(host.id);
      try {
        return (await this.shell.run(host, 'true', expected)).hostFingerprint;
      } catch (e) {
        if (e instanceof SshHostKeyMismatchError) {
          throw ActionFailedError.refused(
            `Host ${host.name} presents ${e.presentedFingerprint}, not the fingerprint given (${e.expectedFingerprint}); nothing was changed`,
          );
        }
        if (e instanceof SshConnectError)
          throw ActionFailedError.unreachable(`Host ${host.name} could not be reached: ${e.message}`);
        throw e;
      }
    });
    const previous = host.sshFingerprint;
    await this.hosts.repin(host.id, presented);
    host.sshFingerprint = presented;
    const outcome = await ctx.step(`Contacting host ${host.name} with the new host key`, () =>
      this.contact.probe(host, this.cause(ctx)),
    );
    const change = previous === presented ? `kept ${presented}` : `${previous ?? 'none'} → ${presented}`;
    if (outcome.status !== 'up') throw failedContact(host, outcome);
    return {
      result: { fingerprint: presented, previous_fingerprint: previous },
      description: `Host key of ${host.name} re-pinned (${change}).`,
    };
  }

  private async load(ctx: ActionContext): Promise<HostEntity> {
    const host = ctx.job.targetId === null ? null : await this.hosts.findById(ctx.job.targetId);
    if (!host) throw ActionFailedError.refused('The host was removed before the action could run.');
    return host;
  }

  private cause(ctx: ActionContext) {
    return { correlationId: ctx.job.correlationId, userId: ctx.job.ownerId, jobId: ctx.job.id };
  }
}
