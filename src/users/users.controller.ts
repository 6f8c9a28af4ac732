import { AdminOnly } from '../ovirt/access.guard';
import { OvirtBody } from '../ovirt/request-body';
import type { ListQuery } from '../ovirt/query';
import {
  AddRoute,
  GetRoute,
  ListParams,
  ListRoute,
  Caller,
  OvirtCollection,
  RemoveRoute,
  RequestCaller,
  ResourceId,
  UpdateRoute,
} from '../ovirt/routes';
import { USER_SEARCH, UserCreate, USERS, UserSchema, UserUpdate, UserView, userView } from './user.representation';
import { UsersService } from './users.service';

/** `/users`: admins only, reads included (a viewer gets 403 here even for GET). */
@AdminOnly()
@OvirtCollection(USERS)
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @ListRoute(UserSchema, { search: USER_SEARCH })
  async list(@ListParams() query: ListQuery): Promise<UserView[]> {
    return (await this.users.list(query)).map(userView);
  }

  @GetRoute(UserSchema)
  async get(@ResourceId() id: string): Promise<UserView> {
    return userView(await this.users.get(id));
  }

  @AddRoute(UserSchema)
  async add(@OvirtBody(UserSchema, 'create') body: UserCreate, @RequestCaller() caller: Caller): Promise<UserView> {
    return userView(await this.users.add(body, caller));
  }

  @UpdateRoute(UserSchema, { summary: "Change a user's role or reset its password" })
  async update(
    @ResourceId() id: string,
    @OvirtBody(UserSchema, 'update') body: UserUpdate,
    @RequestCaller() caller: Caller,
  ): Promise<UserView> {
    return userView(await this.users.update(id, body, caller));
  }

  @RemoveRoute(UserSchema, { summary: 'Remove a user and its tokens' })
  async remove(@ResourceId() id: string, @RequestCaller() caller: Caller): Promise<void> {
    await this.users.remove(id, caller);
  }
}
