import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** What the service key needs from storage; the in-memory version in the unit tests implements it too. */
export interface ServiceSecretStore {
  find(name: string): Promise<string | undefined>;
  /** Stores the value unless the name exists already. True when this call stored it. */
  insertIfAbsent(name: string, value: string): Promise<boolean>;
}

/** The `service_secrets` table (name, value). Values are stored as given: callers seal them first. */
@Injectable()
export class ServiceSecretRepository implements ServiceSecretStore {
  constructor(private readonly dataSource: DataSource) {}

  async find(name: string): Promise<string | undefined> {
    const rows: { value: string }[] = await this.dataSource.query('SELECT value FROM service_secrets WHERE name = $1', [
      name,
    ]);
    return rows[0]?.value;
  }

  async insertIfAbsent(name: string, value: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      'INSERT INTO service_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING name',
      [name, value],
    );
    return rows.length === 1;
  }
}
