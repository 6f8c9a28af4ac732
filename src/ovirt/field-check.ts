import { GlusterArgumentError } from '../gluster';
import { BodyError } from './representation';

/** Which body field a refusal names: a fixed path, or one derived from the validator's field. */
export type FieldPath = string | ((validatorField: string) => string);

/**
 * Runs a gluster validator on request input: its refusal becomes a 400 naming the body field (by
 * default the validator's own field) with the validator's reason, or with `message` when given.
 */
export function checkedField<T>(validate: () => T, path?: FieldPath, message?: string): T {
  try {
    return validate();
  } catch (e) {
    if (!(e instanceof GlusterArgumentError)) throw e;
    const field = path === undefined ? e.field : typeof path === 'string' ? path : path(e.field);
    throw new BodyError([{ path: field, message: message ?? e.reason }]);
  }
}
