import { Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { resolveSecretKey } from '../config/data-files';
import { loadOrCreateServiceKey, ServiceKey } from './service-key';
import { ServiceSecretRepository } from './service-secret.repository';
import { SshClient } from './ssh-client';
import { SshClientOptions, sshOptionsFromEnv } from './ssh-options';

export const SSH_CLIENT_OPTIONS = Symbol('SSH_CLIENT_OPTIONS');

/**
 * The SSH client (connection pool) and the service key pair, loaded or created at start-up.
 * Needs APP_CONFIG and a TypeORM DataSource from the global core module.
 */
@Module({
  providers: [
    ServiceSecretRepository,
    { provide: SSH_CLIENT_OPTIONS, useFactory: (): SshClientOptions => sshOptionsFromEnv(process.env) },
    {
      provide: ServiceKey,
      inject: [ServiceSecretRepository, APP_CONFIG],
      useFactory: async (secrets: ServiceSecretRepository, config: AppConfig): Promise<ServiceKey> => {
        const { key, created } = await loadOrCreateServiceKey(secrets, resolveSecretKey(config));
        if (created) new Logger('SshModule').log(`generated the SSH service key ${key.fingerprint}`);
        return key;
      },
    },
    {
      provide: SshClient,
      inject: [ServiceKey, SSH_CLIENT_OPTIONS],
      useFactory: (key: ServiceKey, options: SshClientOptions) => new SshClient(key, options),
    },
  ],
  exports: [SshClient, ServiceKey],
})
export class SshModule implements OnApplicationShutdown {
  constructor(@Inject(SshClient) private readonly client: SshClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
