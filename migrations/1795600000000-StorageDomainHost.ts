import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * oVirt's storage_domain.host: the registered host that mounts the domain. Removing the host clears it
 * (oVirt uses it when the domain is created; it must not keep a host from being removed).
 */
export class StorageDomainHost1795600000000 implements MigrationInterface {
  name = 'StorageDomainHost1795600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE storage_domains ADD COLUMN host_id uuid REFERENCES hosts(id) ON DELETE SET NULL');
    await q.query('CREATE INDEX storage_domains_host_id_idx ON storage_domains (host_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE storage_domains DROP COLUMN host_id');
  }
}
