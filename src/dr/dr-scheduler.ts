import { Injectable } from '@nestjs/common';
import { QueueProducer } from '../queue/queue-producer';
import { DrFireData, DrScheduleFire } from './dr-jobs';
import type { DrScheduleEntity } from './dr-schedule.entity';

export const DR_SCHEDULER_PREFIX = 'dr-schedule:';

/**
 * The BullMQ job scheduler of each DR schedule (cron + time zone, kept in Redis: it survives restarts
 * and produces one job per tick however many workers run). Only enabled schedules with a session
 * have one.
 */
@Injectable()
export class DrScheduler {
  constructor(private readonly producer: QueueProducer) {}

  private queue() {
    return this.producer.queue(DrScheduleFire.queue);
  }

  static idOf(scheduleId: string): string {
    return `${DR_SCHEDULER_PREFIX}${scheduleId}`;
  }

  async apply(s: DrScheduleEntity): Promise<void> {
    if (s.enabled && s.sessionId) {
      const data: DrFireData = { scheduleId: s.id };
      await this.queue().upsertJobScheduler(
        DrScheduler.idOf(s.id),
        { pattern: s.cron, tz: s.timezone },
        {
          name: DrScheduleFire.name,
          data,
          opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
        },
      );
    } else {
      await this.remove(s.id);
    }
  }

  async remove(scheduleId: string): Promise<void> {
    await this.queue().removeJobScheduler(DrScheduler.idOf(scheduleId));
  }

  /** Ids of the schedules that have a job scheduler in Redis. */
  async scheduledIds(): Promise<string[]> {
    const all = await this.queue().getJobSchedulers(0, -1);
    return all.flatMap((j) => (j.key.startsWith(DR_SCHEDULER_PREFIX) ? [j.key.slice(DR_SCHEDULER_PREFIX.length)] : []));
  }
}
