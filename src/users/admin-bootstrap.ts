import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { dataFile, ensureDataDir, readOrCreateSecretFile } from '../config/data-files';
import { hashPassword, verifyPassword } from './password-hasher';
import { UserEntity } from './user.entity';

export interface AdminBootstrapResult {
  user: string;
  /** Where the generated password lives; undefined when GEOREP_ADMIN_PASSWORD is used. */
  passwordFile?: string;
}

/**
 * Makes sure the configured admin exists. With GEOREP_ADMIN_PASSWORD its hash follows that value;
 * without it a password is generated when the admin is first created, stored hashed, and written
 * to a 0600 file in the data dir.
 */
export async function bootstrapAdmin(ds: DataSource, config: AppConfig): Promise<AdminBootstrapResult> {
  const repo = ds.getRepository(UserEntity);
  const existing = await repo
    .createQueryBuilder('u')
    .addSelect('u.passwordHash')
    .where('lower(u.name) = lower(:name)', { name: config.adminUser })
    .getOne();

  if (config.adminPassword) {
    if (!existing) {
      await repo.insert({
        name: config.adminUser,
        role: 'admin',
        passwordHash: await hashPassword(config.adminPassword),
      });
    } else if (!(await verifyPassword(existing.passwordHash, config.adminPassword)) || existing.role !== 'admin') {
      await repo.update(existing.id, { role: 'admin', passwordHash: await hashPassword(config.adminPassword) });
    }
    return { user: config.adminUser };
  }

  ensureDataDir(config);
  const file = dataFile(config, 'admin-password');
  if (!existing) {
    // A file left from an earlier database is stale: the new admin gets a new password.
    fs.rmSync(file, { force: true });
    const { value } = readOrCreateSecretFile(file, () => crypto.randomBytes(18).toString('base64url'));
    await repo.insert({ name: config.adminUser, role: 'admin', passwordHash: await hashPassword(value) });
  }
  // An existing admin keeps its password (it may have been changed through the API since).
  return { user: config.adminUser, passwordFile: fs.existsSync(file) ? file : undefined };
}
