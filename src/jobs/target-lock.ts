import { Injectable } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * One running action per target, across every worker process: a PostgreSQL session advisory lock
 * on a connection of its own. A worker that dies loses its connection, and with it the lock.
 */
@Injectable()
export class TargetLock {
  constructor(private readonly ds: DataSource) {}

  async tryAcquire(targetType: string, targetId: string): Promise<HeldLock | undefined> {
    const runner: QueryRunner = this.ds.createQueryRunner();
    await runner.connect();
    const key = `${targetType}:${targetId}`;
    try {
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key]);
      if (!locked) {
        await runner.release();
        return undefined;
      }
    } catch (e) {
      await runner.release();
      throw e;
    }
    return {
      release: async () => {
        try {
          await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
        } finally {
          await runner.release();
        }
      },
    };
  }

  /** True when some session holds the target's lock (for tests and diagnostics). */
  async isHeld(targetType: string, targetId: string): Promise<boolean> {
    const [{ held }] = await this.ds.query(
      `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
         AND ((classid::bigint << 32) | objid::bigint) = (hashtextextended($1, 0) & x'ffffffffffffffff'::bigint)) AS held`,
      [`${targetType}:${targetId}`],
    );
    return held;
  }
}
