import { str } from './representation';

/** Names of the objects this service manages (clusters, hosts): what oVirt allows, at most 50 characters. */
export const OBJECT_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,49}$/;

export function nameField() {
  return str({
    maxLength: 50,
    pattern: OBJECT_NAME,
    patternDescription: "1 to 50 letters, digits, '.', '_' or '-', not starting with '.' or '-'",
  });
}
