import { Injectable, Logger } from '@nestjs/common';
import type { DrStallHealer } from '../dr/dr-hooks';
import { GeoRepSessionEntity } from '../georep/georep-session.entity';
import { touchVolumeRootCommand } from '../gluster';
import { SessionGluster } from './session-gluster';

/**
 * The DR run's hook for "nothing moves": on an idle master volume the workers never pass a checkpoint
 * (they complete it when they sync a changelog newer than it), so touch the volume root through a
 * private mount on a master host, as gluster's schedule_georep.py does. Restarting a stalled worker is
 * left to the healing of the trust issue.
 */
@Injectable()
export class MasterRootToucher implements DrStallHealer {
  private readonly logger = new Logger(MasterRootToucher.name);

  constructor(private readonly gluster: SessionGluster) {}

  async nothingMoves(session: GeoRepSessionEntity, _rows: unknown, polls: number): Promise<void> {
    const ref = await this.gluster.ref(session);
    const ran = await this.gluster.onCluster(session.clusterId, touchVolumeRootCommand(ref.masterVolume));
    if (ran.output.exitCode !== 0) {
      this.logger.warn({ session: session.id, exitCode: ran.output.exitCode }, `could not touch the root of ${ref.masterVolume}: ${ran.output.stderr.trim().slice(0, 200)}`);
    } else {
      this.logger.log({ session: session.id, polls }, `nothing moved for ${polls} polls: touched the root of ${ref.masterVolume}`);
    }
  }
}
