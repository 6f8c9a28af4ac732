import type { ValueTransformer } from 'typeorm';

/** PostgreSQL bigint comes back as text; byte and operation counts fit in a safe JavaScript number. */
export const BIGINT_NUMBER: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null || value === undefined ? null : Number(value)),
};
