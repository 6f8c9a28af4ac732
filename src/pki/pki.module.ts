import { Module } from '@nestjs/common';
import { SshModule } from '../ssh/ssh.module';
import { PkiController } from './pki.controller';

/** oVirt's pki-resource: the public half of the service's SSH key and the certificate clients should trust. */
@Module({
  imports: [SshModule],
  controllers: [PkiController],
})
export class PkiModule {}
