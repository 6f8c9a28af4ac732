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

/** What a shutdown has to stop; filled in as start-up goes. */
interface Running {
  backing?: BackingServices;
  app?: INestApplication | INestApplicationContext;
  stopping: boolean;
}

async function main(): Promise<void> {
  const config = configOrExit();
  const running: Running = { stopping: false };
  process.on('SIGTERM', () => void shutdown(running, 'SIGTERM'));
  process.on('SIGINT', () => void shutdown(running, 'SIGINT'));

  try {
    await start(config, running);
  } catch (e) {
    if (e instanceof ConfigError) {
      printConfigProblems(e);
    } else {
      console.error(`start-up failed: ${(e as Error).message.split('\n')[0]}`);
    }
    await running.app?.close().catch(() => undefined);
    await running.backing?.stop().catch(() => undefined);
    process.exit(1);
  }
}

function printConfigProblems(e: ConfigError): void {
  for (const line of e.problems) console.error(`configuration error: ${line}`);
}

/** The configuration, or exit 2 with one line per problem. */
function configOrExit(): AppConfig {
  try {
    return loadConfig(process.env, process.argv.slice(2));
  } catch (e) {
    if (e instanceof ConfigError) {
      printConfigProblems(e);
      process.exit(2);
    }
    throw e;
  }
}

/** The first signal closes the app then the backing services; a second one exits at once. */
async function shutdown(running: Running, signal: string): Promise<void> {
  if (running.stopping) {
    say(`${signal} again: exiting now`);
    process.exit(130);
  }
  running.stopping = true;
  say(`${signal}: shutting down (send it again to exit at once)`);
  try {
    await running.app?.close();
    await running.backing?.stop();
  } finally {
    process.exit(0);
  }
}

async function start(config: AppConfig, running: Running): Promise<void> {
  const backing = await startBackingServices(config, say);
  running.backing = backing;
  const admin = await prepareDatabase(config, backing.services.databaseUrl);
  if (running.stopping) return;
  const app = await createNestApp(config, backing.services);
  running.app = app;
  if (isHttpApp(app)) {
    await listen(app, config);
  } else {
    await app.init();
    say('georep-api (worker) running');
  }
  say(
    admin.passwordFile
      ? `admin user ${admin.user}; password in ${admin.passwordFile}`
      : `admin user ${admin.user}; password from GEOREP_ADMIN_PASSWORD`,
  );
}

async function listen(app: INestApplication, config: AppConfig): Promise<void> {
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
}

void main();
