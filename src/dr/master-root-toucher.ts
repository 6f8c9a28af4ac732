import { Injectable, Logger } from '@nestjs/common';
import type { DrStallHealer } from './dr-hooks';
import { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import { touchVolumeRootCommand } from '../gluster';
import { SessionGluster } from '../session-worker/session-gluster';
import { StallHealer } from '../session-worker/stall-healer.job';

/**
 * The DR run's hook for "nothing moves": on an idle master volume the workers never pass a checkpoint
 * (they complete it when they sync a changelog newer than it), so touch the volume root through a
 * private mount on a master host, as gluster's schedule_georep.py does. A worker the status sync has
 * flagged stalled (LAB.md pitfall 2) is healed too, within the hourly limit (StallHealer).
 */
@Injectable()
export class MasterRootToucher implements DrStallHealer {
  private readonly logger = new Logger(MasterRootToucher.name);

  constructor(
    private readonly gluster: SessionGluster,
    private readonly healer: StallHealer,
  ) {}

  async nothingMoves(session: GeoRepSessionEntity, _rows: unknown, polls: number): Promise<void> {
    const ref = await this.gluster.ref(session);
    const ran = await this.gluster.onCluster(session.clusterId, touchVolumeRootCommand(ref.masterVolume));
    if (ran.output.exitCode !== 0) {
      this.logger.warn(
        { session: session.id, exitCode: ran.output.exitCode },
        `could not touch the root of ${ref.masterVolume}: ${ran.output.stderr.trim().slice(0, 200)}`,
      );
    } else {
      this.logger.log(
        { session: session.id, polls },
        `nothing moved for ${polls} polls: touched the root of ${ref.masterVolume}`,
      );
    }
    const healed = await this.healer.healNow(session, {}).catch((e: Error) => {
      this.logger.warn({ session: session.id, err: e.message }, 'the stalled worker could not be healed');
      return null;
    });
    if (healed)
      this.logger.log(
        { session: session.id, bricks: healed.bricks },
        `healed stalled worker(s) during the DR run (${healed.action})`,
      );
  }
}
