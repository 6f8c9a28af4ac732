import 'reflect-metadata';
import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { AddressInfo } from 'node:net';
import { BackingServices, createNestApp, prepareDatabase, startBackingServices } from './bootstrap';
import { AppConfig, ConfigError, loadConfig } from './config/config';

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function isHttpApp(app: INestApplication | INestApplicationContext): app is INestApplication {
  return typeof (app as INestApplication).listen === 'function';
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env, process.argv.slice(2));
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const line of e.problems) console.error(`configuration error: ${line}`);
      process.exit(2);
    }
    throw e;
  }

  let backing: BackingServices | undefined;
  let app: INestApplication | INestApplicationContext | undefined;
  let stopping = false;

  const shutdown = async (signal: string) => {
    if (stopping) {
      say(`${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    say(`${signal}: shutting down (send it again to exit at once)`);
    try {
      await app?.close();
      await backing?.stop();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    backing = await startBackingServices(config, say);
    const admin = await prepareDatabase(config, backing.services.databaseUrl);
    if (stopping) return;
    app = await createNestApp(config, backing.services);
    if (isHttpApp(app)) {
      await app.listen(config.port, config.host);
      const address = app.getHttpServer().address() as AddressInfo;
      const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      say(
        `georep-api (${config.role}) listening on ${config.tls ? 'https' : 'http'}://${shown}:${address.port}/ovirt-engine/api`,
      );
      if (config.tls)
        say(
          `TLS certificate ${config.tls.certFile}${config.tls.selfSigned ? ' (self-signed, generated on first start)' : ''}`,
        );
    } else {
      await app.init();
      say('georep-api (worker) running');
    }
    say(
      admin.passwordFile
        ? `admin user ${admin.user}; password in ${admin.passwordFile}`
        : `admin user ${admin.user}; password from GEOREP_ADMIN_PASSWORD`,
    );
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const line of e.problems) console.error(`configuration error: ${line}`);
    } else {
      console.error(`start-up failed: ${(e as Error).message.split('\n')[0]}`);
    }
    await app?.close().catch(() => undefined);
    await backing?.stop().catch(() => undefined);
    process.exit(1);
  }
}

void main();
