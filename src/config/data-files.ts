import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from './config';

/** Files the embedded default keeps in the data dir. Only paths are ever printed, never contents. */
export function dataFile(config: AppConfig, name: 'secret.key' | 'admin-password'): string {
  return path.join(config.dataDir, name);
}

/**
 * The data dir is traversable (0711) but not listable by others: as root the embedded PostgreSQL runs
 * as an unprivileged user that must reach its own subdirectory; every secret file in it is 0600.
 */
export function ensureDataDir(config: AppConfig): void {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o711 });
  const mode = fs.statSync(config.dataDir).mode & 0o777;
  if ((mode & 0o011) !== 0o011) fs.chmodSync(config.dataDir, mode | 0o011);
}

/** Reads a 0600 file, or creates it with `make()` the first time (exclusive create, so two starts cannot race). */
export function readOrCreateSecretFile(file: string, make: () => string): { value: string; created: boolean } {
  try {
    fs.writeFileSync(file, make(), { mode: 0o600, flag: 'wx' });
    return { value: fs.readFileSync(file, 'utf8').trim(), created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  fs.chmodSync(file, 0o600);
  return { value: fs.readFileSync(file, 'utf8').trim(), created: false };
}

/** GEOREP_SECRET_KEY, or in the embedded default a key generated once into the data dir. */
export function resolveSecretKey(config: AppConfig): string {
  if (config.secretKey) return config.secretKey;
  ensureDataDir(config);
  return readOrCreateSecretFile(dataFile(config, 'secret.key'), () => crypto.randomBytes(48).toString('base64')).value;
}
