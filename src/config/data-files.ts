import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from './config';

/** Files the embedded default keeps in the data dir. Only paths are ever printed, never contents. */
export function dataFile(config: AppConfig, name: 'secret.key' | 'admin-password'): string {
  return path.join(config.dataDir, name);
}

export function ensureDataDir(config: AppConfig): void {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o711 });
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
