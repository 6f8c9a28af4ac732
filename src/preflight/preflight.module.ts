import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { HostsModule } from '../hosts/hosts.module';
import { VolumesModule } from '../volumes/volumes.module';
import { SessionPreflightController } from './preflight.controller';
import { PreflightProbe } from './preflight-probe';
import { PreflightService } from './preflight.service';

/** `GET …/georeplication-sessions/{sid}/preflight` (issue 10): read-only checks of a session over SSH. */
@Module({
  imports: [SessionsModule, VolumesModule, HostsModule],
  controllers: [SessionPreflightController],
  providers: [PreflightProbe, PreflightService],
  exports: [PreflightProbe, PreflightService],
})
export class PreflightModule {}
