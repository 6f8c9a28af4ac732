import { QueryFailedError } from 'typeorm';

/** PostgreSQL refused a write because of a constraint; repositories throw this, services decide what it means. */
export class ConstraintViolation extends Error {
  override readonly name = 'ConstraintViolation';

  constructor(
    readonly kind: 'unique' | 'foreign_key',
    /** The constraint or index name, e.g. `clusters_name_uq`. */
    readonly constraint: string,
  ) {
    super(`${kind} constraint ${constraint} violated`);
  }
}

// 23503: a reference to a missing row; 23001: deleting a row that ON DELETE RESTRICT protects.
const KINDS: Readonly<Record<string, ConstraintViolation['kind']>> = {
  '23505': 'unique',
  '23503': 'foreign_key',
  '23001': 'foreign_key',
};

/** Runs a write; a unique or foreign-key violation comes out as ConstraintViolation, anything else as it was. */
export async function translateConstraintErrors<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (e instanceof QueryFailedError) {
      const driverError = e.driverError as { code?: string; constraint?: string };
      const kind = KINDS[driverError.code ?? ''];
      if (kind !== undefined) throw new ConstraintViolation(kind, driverError.constraint ?? '');
    }
    throw e;
  }
}
