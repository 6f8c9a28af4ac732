import { refTo } from '../ovirt/api-paths';
import { CreateInputOf, enumOf, resource, str, UpdateInputOf, ViewOf } from '../ovirt/representation';
import type { SearchSpec } from '../ovirt/search';
import { fitOvirtModel, OVIRT_USER_FIELDS } from '../ovirt-model/ovirt-fields';
import type { UserEntity, UserRole } from './user.entity';

export const USERS = 'users';
/** A user's event subscriptions (`notifications/`), linked from the user as oVirt links them. */
export const EVENT_SUBSCRIPTIONS = 'eventsubscriptions';

export const USER_ROLES: readonly UserRole[] = ['admin', 'viewer'];

/** `user@domain`, as oVirt spells logins (`admin@internal`); matched case-insensitively. */
export const USER_NAME = /^[A-Za-z0-9._-]{1,64}@[A-Za-z0-9._-]{1,64}$/;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 1024;

const userFields = {
  user_name: str({
    maxLength: 129,
    pattern: USER_NAME,
    patternDescription: "user@domain (letters, digits, '.', '_' and '-' on both sides)",
    description: 'The login, e.g. `admin@internal`; unique regardless of case. Cannot be changed.',
  }),
  role: enumOf(['admin', 'viewer'] as const, {
    description: '`admin` may do everything; `viewer` may only read (GET).',
  }),
  password: str({
    writeOnly: true,
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    description: "Write-only: set on add, reset on update (which also revokes the user's bearer tokens). Never shown.",
  }),
};
export const UserSchema = resource('user', USERS, userFields, {
  links: [EVENT_SUBSCRIPTIONS],
  ...fitOvirtModel(
    OVIRT_USER_FIELDS,
    Object.keys(userFields),
    'A user of this API. Only admins may list or change users.',
  ),
});

export type UserView = ViewOf<typeof UserSchema>;
export type UserCreate = CreateInputOf<typeof UserSchema>;
export type UserUpdate = UpdateInputOf<typeof UserSchema>;

export const USER_SEARCH: SearchSpec = {
  fields: { user_name: { column: 'u.name' }, role: { column: 'u.role', values: ['admin', 'viewer'] } },
  defaultSort: 'user_name',
};

export function userView(user: UserEntity): UserView {
  return { ...refTo(USERS, user.id), user_name: user.name, role: user.role };
}
