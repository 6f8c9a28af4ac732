import 'reflect-metadata';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppModule } from './app.module';
import { loadConfig } from './config/config';
import { apiDocument, apiDocumentYaml } from './openapi/api-document';

/** The repository root (it has the lock file), from src/openapi or dist/src/openapi alike. */
function repositoryRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package-lock.json'))) return dir;
  }
  return process.cwd();
}

export const OPENAPI_FILE = path.join(repositoryRoot(), 'openapi', 'openapi.yaml');

/**
 * The document of the api role's module graph, built in Nest's preview mode: modules are scanned,
 * nothing is instantiated, so no database or Redis is needed (the addresses below are never used).
 */
export async function generateApiDocumentYaml(): Promise<string> {
  const config = loadConfig({
    GEOREP_ROLE: 'api',
    DATABASE_URL: 'postgres://openapi@127.0.0.1:1/never-connected',
    REDIS_URL: 'redis://127.0.0.1:1',
    GEOREP_SECRET_KEY: 'x'.repeat(32),
    LOG_LEVEL: 'silent',
  });
  const services = { databaseUrl: config.databaseUrl as string, redisUrl: config.redisUrl as string };
  const app = await NestFactory.create(AppModule.forRole(config, services), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    return apiDocumentYaml(apiDocument(app.get(ModulesContainer)));
  } finally {
    await app.close();
  }
}

function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  const line = left.findIndex((l, i) => l !== right[i]);
  const at = line === -1 ? left.length : line;
  return `first difference at line ${at + 1}:\n  checked in: ${right[at] ?? '(end of file)'}\n  generated:  ${left[at] ?? '(end of file)'}`;
}

/**
 * `npm run openapi` writes the file; `npm run openapi:check` (CI) fails when the checked-in one differs.
 * `--file <path>` uses another file (tests).
 */
async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const fileArg = process.argv.indexOf('--file');
  const file = fileArg > 0 && process.argv[fileArg + 1] ? path.resolve(process.argv[fileArg + 1]) : OPENAPI_FILE;
  const yaml = await generateApiDocumentYaml();
  const relative = path.relative(process.cwd(), file) || file;
  if (check) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (current !== yaml) {
      console.error(
        `${relative} is out of date: it differs from the document the code generates.\n` +
          `${current === '' ? 'the file is missing' : firstDifference(yaml, current)}\n` +
          'Run `npm run build && npm run openapi` and commit the result.',
      );
      process.exit(1);
    }
    process.stdout.write(`${relative} is up to date\n`);
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, yaml);
  process.stdout.write(`wrote ${relative}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(`openapi generation failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
