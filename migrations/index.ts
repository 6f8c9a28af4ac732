import { Initial1795000000000 } from './1795000000000-Initial';

/** Every migration, oldest first. Add new ones at the end. */
export const MIGRATIONS = [Initial1795000000000];
