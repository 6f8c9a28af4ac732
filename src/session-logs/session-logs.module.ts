import { Module } from '@nestjs/common';
import { HostsModule } from '../hosts/hosts.module';
import { SessionsModule } from '../sessions/sessions.module';
import { SessionLogsController } from './session-logs.controller';
import { SessionLogsService } from './session-logs.service';

/** `GET …/georeplication-sessions/{sid}/logs` (issue 19): the tails of a session's gsyncd logs over SSH. */
@Module({
  imports: [SessionsModule, HostsModule],
  controllers: [SessionLogsController],
  providers: [SessionLogsService],
})
export class SessionLogsModule {}
