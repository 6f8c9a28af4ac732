import { Injectable } from '@nestjs/common';
import type { GeoRepSessionEntity } from './georep-session.entity';

/** Another feature's reason why a session must stay (e.g. a DR schedule syncs through it); null when it may go. */
export type SessionDeletionGuard = (session: GeoRepSessionEntity) => Promise<string | null>;

/**
 * Features that depend on sessions register here what keeps a session from being deleted, so that
 * sessions need not know those features.
 */
@Injectable()
export class SessionDeletionGuards {
  private readonly guards: SessionDeletionGuard[] = [];

  register(guard: SessionDeletionGuard): void {
    this.guards.push(guard);
  }

  /** The first registered reason to keep the session, or null. */
  async refusal(session: GeoRepSessionEntity): Promise<string | null> {
    for (const guard of this.guards) {
      const reason = await guard(session);
      if (reason) return reason;
    }
    return null;
  }
}
