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

/** Like localIdOf for an optional argument: null or undefined stays null. */
export function optionalLocalIdOf(typename: string, globalId: string | number | null | undefined, field: string): number | null {
  return globalId === null || globalId === undefined ? null : localIdOf(typename, String(globalId), field);
}
