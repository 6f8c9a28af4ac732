import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { translateConstraintErrors } from '../database/constraint-errors';
import { applyListQuery } from '../ovirt/list-query';
import { isUuid } from '../gluster';
import type { ListQuery } from '../ovirt/query';
import { UserEntity, UserRole } from './user.entity';
import { USER_SEARCH } from './user.representation';

/** A user with its password hash: only for verifying a password. */
export type UserWithHash = UserEntity & { passwordHash: string };

/** The admins, locked until the transaction ends: so two requests cannot each remove "another" admin. */
export class LockedAdmins {
  constructor(
    readonly ids: readonly string[],
    readonly manager: EntityManager,
  ) {}
}

/**
 * All database access for users and their bearer tokens. Writes throw ConstraintViolation for duplicate
 * names. Tokens are stored as the SHA-256 (hex) of the token only.
 */
@Injectable()
export class UsersRepository {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly ds: DataSource,
  ) {}

  list(query: ListQuery): Promise<UserEntity[]> {
    return applyListQuery(this.users.createQueryBuilder('u'), query, USER_SEARCH).getMany();
  }

  findById(id: string): Promise<UserEntity | null> {
    return isUuid(id) ? this.users.findOneBy({ id }) : Promise.resolve(null);
  }

  findByIds(ids: readonly string[]): Promise<UserEntity[]> {
    const valid = ids.filter(isUuid);
    return valid.length > 0 ? this.users.findBy({ id: In(valid) }) : Promise.resolve([]);
  }

  /** By login, case-insensitively (the unique index is on lower(name)), with the password hash. */
  findByNameWithHash(name: string): Promise<UserWithHash | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.name) = lower(:name)', { name })
      .getOne() as Promise<UserWithHash | null>;
  }

  insert(user: { name: string; role: UserRole; passwordHash: string }): Promise<UserEntity> {
    return translateConstraintErrors(async () => {
      const saved = await this.users.save(this.users.create(user));
      return (await this.findById(saved.id)) as UserEntity;
    });
  }

  /** Runs `work` with every admin row locked (SELECT … FOR UPDATE) in one transaction. */
  withAdminsLocked<T>(work: (admins: LockedAdmins) => Promise<T>): Promise<T> {
    return this.ds.transaction(async (manager) => {
      const rows = (await manager.query(`SELECT id FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE`)) as {
        id: string;
      }[];
      return work(
        new LockedAdmins(
          rows.map((r) => r.id),
          manager,
        ),
      );
    });
  }

  async update(manager: EntityManager, id: string, changes: { role?: UserRole; passwordHash?: string }): Promise<void> {
    if (Object.keys(changes).length === 0) return;
    await manager.getRepository(UserEntity).update({ id }, changes);
  }

  /** False when there was nothing to delete. Its tokens go with it (ON DELETE CASCADE). */
  async delete(manager: EntityManager, id: string): Promise<boolean> {
    const result = await manager.getRepository(UserEntity).delete({ id });
    return (result.affected ?? 0) > 0;
  }

  // --- bearer tokens -------------------------------------------------------------------------------

  async insertToken(
    manager: EntityManager | undefined,
    userId: string,
    tokenHash: string,
    expiresAt: Date,
  ): Promise<void> {
    await (manager ?? this.ds.manager).query(
      `INSERT INTO tokens (user_id, token_hash, expires_at) VALUES ($1, $2, $3)`,
      [userId, tokenHash, expiresAt],
    );
  }

  /** The user a token belongs to, when the token exists, has not expired and was not revoked. */
  async findByValidToken(tokenHash: string): Promise<UserEntity | null> {
    const rows = (await this.ds.query(
      `SELECT u.id, u.name, u.role FROM tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()`,
      [tokenHash],
    )) as { id: string; name: string; role: UserRole }[];
    if (rows.length === 0) return null;
    return Object.assign(new UserEntity(), rows[0]);
  }

  /** True when a valid token was revoked now. */
  async revokeToken(tokenHash: string): Promise<boolean> {
    const rows = (await this.ds.query(
      `UPDATE tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING id`,
      [tokenHash],
    )) as [unknown[], number];
    return rows[1] > 0;
  }

  async revokeTokensOf(manager: EntityManager, userId: string): Promise<void> {
    await manager.query(`UPDATE tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [userId]);
  }
}
