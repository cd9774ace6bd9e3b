import { z } from 'zod';

// Plugin config arrives as strings from the environment or as values from code: accept both.

export const configFlag = z.preprocess((value) => (typeof value === 'string' ? ['true', '1', 'yes'].includes(value.trim().toLowerCase()) : value), z.boolean());

/** A JSON object given as a string in the environment. */
export function configJson<S extends z.ZodType>(schema: S) {
  return z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }, schema);
}
