import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One configuration option of a session, as `config` printed it (canonical dashed name). */
@Entity({ name: 'georep_session_options' })
export class GeoRepSessionOptionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'text' })
  value: string;

  /** The catalogue's default; null when gluster derives it from the session or the option is unknown. */
  @Column({ name: 'default_value', type: 'text', nullable: true })
  defaultValue: string | null;

  @Column({ type: 'boolean' })
  modified: boolean;
}
