import { Inject, Injectable } from '@nestjs/common';
import { DR_STALL_HEALER, DrStallHealer } from '../dr/dr-hooks';
import { checkpointRowsOf, decidePoll, progressPercent, progressSignature } from '../dr/run-logic';
import {
  checkpointProgress,
  GeoRepBrickStatus,
  geoRepCheckpointNowCommand,
  geoRepConfigGetCommand,
  geoRepStatusCommand,
  parseCheckpointEpoch,
  parseGeoRepConfigSet,
  parseGeoRepStatus,
} from '../gluster';
import { ActionContext } from '../jobs/action-executor';
import { ActionFailedError } from '../jobs/action-failure';
import { SessionSignals } from '../queue/session-signals';
import { SessionGluster } from '../session-worker/session-gluster';
import { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import { sessionName } from '../sessions/session.representation';

/** Polls with nothing moving before the master volume's root is touched again (as a DR run does). */
const STALL_POLLS = 6;

/** A caught-up slave: the checkpoint, and the worker rows of the status read that saw it completed. */
export interface CaughtUp {
  /** Everything written to the master before it is on the slave. */
  checkpoint: Date;
  rows: readonly GeoRepBrickStatus[];
}

/**
 * "Catch the slave up" for a failover (the session) and a failback (its reverse session): `checkpoint
 * now`, its epoch read back, then a wait until every active worker completed that checkpoint, each as
 * a step of the caller's job. A Faulty worker fails it (409), the timeout too (504).
 */
@Injectable()
export class CheckpointCatchUp {
  constructor(
    private readonly gluster: SessionGluster,
    @Inject(DR_STALL_HEALER) private readonly stallHealer: DrStallHealer,
    private readonly signals: SessionSignals,
  ) {}

  /** The checkpoint's time, and the status rows of the poll that saw every active worker complete it. */
  async run(ctx: ActionContext<object>, session: GeoRepSessionEntity, timeoutSeconds: number): Promise<CaughtUp> {
    const epoch = await ctx.step(`Setting a checkpoint on ${sessionName(session)}`, async (h) => {
      await this.gluster.run(session, geoRepCheckpointNowCommand, parseGeoRepConfigSet, (host) => h.ranOn(host.id));
      const value = await this.gluster.run(
        session,
        (ref) => geoRepConfigGetCommand(ref, 'checkpoint'),
        parseCheckpointEpoch,
      );
      if (value === null) throw ActionFailedError.refused('gluster reports no checkpoint right after setting one');
      return value;
    });
    const rows = await ctx.step('Waiting for every active worker to complete the checkpoint', (h) =>
      this.waitFor(ctx, session, epoch, timeoutSeconds, (percent) => h.progress(percent)),
    );
    return { checkpoint: new Date(epoch * 1000), rows };
  }

  private async waitFor(
    ctx: ActionContext<object>,
    session: GeoRepSessionEntity,
    epoch: number,
    timeoutSeconds: number,
    progressed: (percent: number) => Promise<void>,
  ): Promise<GeoRepBrickStatus[]> {
    const startedAt = Date.now();
    let lastSignature = '';
    let still = 0;
    await this.signals.listen();
    for (let poll = 0; ; poll++) {
      const polledAt = Date.now();
      const rows = (await this.gluster.run(session, (ref) => geoRepStatusCommand(ref), parseGeoRepStatus)).flatMap(
        (s) => s.bricks,
      );
      const checkpointRows = checkpointRowsOf(rows);
      const progress = checkpointProgress(epoch, checkpointRows);
      const decision = decidePoll({
        progress,
        cancelRequested: false,
        elapsedMs: Date.now() - startedAt,
        timeoutMs: timeoutSeconds * 1000,
      });
      switch (decision.kind) {
        case 'complete':
          return rows;
        case 'faulty':
          throw ActionFailedError.refused(decision.detail);
        case 'timeout':
          throw ActionFailedError.timedOut(decision.detail);
        default: {
          await progressed(progressPercent(progress));
          // A worker completes a checkpoint when it syncs a changelog newer than it: on an idle master
          // volume there is none until something changes, so touch its root at once and whenever nothing moves.
          const signature = progressSignature(rows);
          still = signature === lastSignature ? still + 1 : 0;
          lastSignature = signature;
          if (poll === 0 || (still > 0 && still % STALL_POLLS === 0))
            await this.stallHealer.nothingMoves(session, rows, still);
          await this.signals.sleep(session.id, ctx.config.drPollIntervalMs, polledAt);
        }
      }
    }
  }
}
