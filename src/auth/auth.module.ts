import { Global, Module } from '@nestjs/common';
import { AUTHENTICATOR } from '../ovirt/access.guard';
import { UsersModule } from '../users/users.module';
import { AuthService } from './auth.service';
import { SsoController } from './sso.controller';

/**
 * Authentication: the Authenticator AccessGuard uses (Basic and Bearer), and the SSO token and logout
 * endpoints. Global so that the guard, registered by OvirtModule, can have the Authenticator injected
 * without the oVirt layer importing users.
 */
@Global()
@Module({
  imports: [UsersModule],
  controllers: [SsoController],
  providers: [AuthService, { provide: AUTHENTICATOR, useExisting: AuthService }],
  exports: [AuthService, AUTHENTICATOR],
})
export class AuthModule {}
