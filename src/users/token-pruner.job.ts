import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OnJob } from '../queue/on-job.decorator';
import { PruneExpiredTokens } from './user-jobs';

/** Removes bearer tokens that expired or were revoked more than a day ago. */
@Injectable()
export class TokenPruner {
  constructor(private readonly ds: DataSource) {}

  @OnJob(PruneExpiredTokens)
  async prune(): Promise<{ removed: number }> {
    const result = await this.ds.query(
      `DELETE FROM tokens WHERE expires_at < now() - interval '1 day' OR revoked_at < now() - interval '1 day'`,
    );
    return { removed: Array.isArray(result) ? Number(result[1] ?? 0) : 0 };
  }
}
