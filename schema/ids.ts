import { decodeGlobalID } from '@pothos/plugin-relay';
import { BadUserInputError } from '../resolvers/errors.js';

/** The numeric key inside a global id of the given type; anything else is BAD_USER_INPUT on `field`. */
export function localIdOf(typename: string, globalId: string, field: string): number {
  try {
    const { typename: decodedType, id } = decodeGlobalID(globalId);
    if (decodedType === typename && /^[1-9][0-9]{0,15}$/.test(id)) return Number(id);
  } catch {
    // falls through to the typed error below
  }
  throw new BadUserInputError(field, `Not a ${typename} id`);
}

export function localIdsOf(typename: string, globalIds: readonly string[], field: string): number[] {
  return globalIds.map((globalId, index) => localIdOf(typename, globalId, `${field}.${index}`));
}
