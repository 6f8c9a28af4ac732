import { Injectable } from '@nestjs/common';
import { ConstraintViolation, translateConstraintErrors } from '../database/constraint-errors';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import { OvirtFault } from '../ovirt/faults';
import type { ListQuery } from '../ovirt/query';
import type { Caller } from '../ovirt/routes';
import { hashPassword } from './password-hasher';
import { UserEntity, UserRole } from './user.entity';
import { UserCreate, UserUpdate } from './user.representation';
import { LockedAdmins, UsersRepository } from './users.repository';

/**
 * The rules for users: logins are unique regardless of case and cannot be renamed; a password reset
 * revokes the user's bearer tokens; removing a user removes its tokens; and there is always at least
 * one admin (removing or demoting the last one is a 409). Every change is an audit event naming who made it
 * (never a password).
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly events: EventsService,
  ) {}

  list(query: ListQuery): Promise<UserEntity[]> {
    return this.users.list(query);
  }

  async get(id: string): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user) throw OvirtFault.notFound('user', id);
    return user;
  }

  findByIds(ids: readonly string[]): Promise<UserEntity[]> {
    return this.users.findByIds(ids);
  }

  async add(input: UserCreate, caller: Caller): Promise<UserEntity> {
    const passwordHash = await hashPassword(input.password);
    try {
      const added = await this.users.insert({ name: input.user_name, role: input.role, passwordHash });
      await this.events.recordChange(EventCode.UserAdded, `User ${added.name} (${added.role}) was added.`, caller);
      return added;
    } catch (e) {
      if (e instanceof ConstraintViolation && e.kind === 'unique')
        throw OvirtFault.conflict(`a user named "${input.user_name}" already exists`);
      throw e;
    }
  }

  async update(id: string, input: UserUpdate, caller: Caller): Promise<UserEntity> {
    const current = await this.get(id);
    if (input.user_name !== undefined && input.user_name !== current.name) {
      throw new OvirtFault(
        400,
        'Broken immutability constraint',
        'user_name cannot be changed; add a user with the new name and remove this one',
      );
    }
    const passwordHash = input.password !== undefined ? await hashPassword(input.password) : undefined;
    await this.users.withAdminsLocked(async (admins) => {
      if (input.role !== undefined && input.role !== 'admin') this.keepAnAdmin(admins, id, 'demote');
      const changes: { role?: UserRole; passwordHash?: string } = {};
      if (input.role !== undefined) changes.role = input.role;
      if (passwordHash !== undefined) changes.passwordHash = passwordHash;
      await translateConstraintErrors(() => this.users.update(admins.manager, id, changes));
      if (passwordHash !== undefined) await this.users.revokeTokensOf(admins.manager, id);
    });
    const updated = await this.get(id);
    const changes = [
      ...(input.role !== undefined ? [`role ${updated.role}`] : []),
      ...(passwordHash !== undefined ? ['password reset, its tokens revoked'] : []),
    ];
    await this.events.recordChange(
      EventCode.UserUpdated,
      `User ${updated.name} was updated${changes.length > 0 ? `: ${changes.join(', ')}` : ''}.`,
      caller,
    );
    return updated;
  }

  async remove(id: string, caller: Caller): Promise<void> {
    const user = await this.get(id);
    await this.users.withAdminsLocked(async (admins) => {
      this.keepAnAdmin(admins, user.id, 'remove');
      if (!(await this.users.delete(admins.manager, user.id))) throw OvirtFault.notFound('user', id);
    });
    await this.events.recordChange(EventCode.UserRemoved, `User ${user.name} was removed, with its tokens.`, caller);
  }

  private keepAnAdmin(admins: LockedAdmins, id: string, what: 'remove' | 'demote'): void {
    if (admins.ids.length === 1 && admins.ids[0] === id) {
      throw OvirtFault.conflict(`cannot ${what} the last admin; make another user an admin first`);
    }
  }
}
