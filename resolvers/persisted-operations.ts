import { createHash } from 'node:crypto';
import { parse, validate, type GraphQLSchema } from 'graphql';
import type { PersistedOperation } from '../db/types.js';
import { BadUserInputError, NotFoundError } from './errors.js';
import { assertAdmin } from './permissions.js';
import type { Services } from './services.js';
import type { Viewer } from './viewer.js';

// Trusted documents an ADMIN registers for the account's own consoles, beside the file that ships
// with a release: a persisted-only server (PERSISTED_OPERATIONS_ONLY) runs them by hash for that account.

const maxDocumentLength = 100_000;
const sha256Hex = /^[0-9a-f]{64}$/;

export const documentHashOf = (document: string) => createHash('sha256').update(document).digest('hex');

/** A document that parses and validates against the schema it will run on, so a typo is refused at registration. */
function checkedDocument(schema: GraphQLSchema, document: string): string {
  if (document.trim() === '') throw new BadUserInputError('document', 'The document is empty');
  if (document.length > maxDocumentLength) throw new BadUserInputError('document', `At most ${maxDocumentLength} characters`);
  let errors: readonly { message: string }[];
  try {
    errors = validate(schema, parse(document));
  } catch (error) {
    throw new BadUserInputError('document', `Not a GraphQL document: ${(error as Error).message}`);
  }
  if (errors.length > 0) throw new BadUserInputError('document', `Not valid against this schema: ${errors[0]!.message}`);
  return document;
}

/** ADMIN: trusts the document for the account; its id is the sha256 clients send. The same text twice keeps the first. */
export async function registerPersistedOperation(services: Services, viewer: Viewer | null, schema: GraphQLSchema, document: string): Promise<PersistedOperation> {
  assertAdmin(viewer);
  const checked = checkedDocument(schema, document);
  const operation = { accountId: viewer.accountId, hash: documentHashOf(checked), document: checked, createdByUserId: viewer.userId, createdAt: services.clock.now() };
  return services.store.write((tx) => tx.persistedOperations.insert(operation));
}

export async function listPersistedOperations(services: Services, viewer: Viewer | null): Promise<PersistedOperation[]> {
  assertAdmin(viewer);
  return services.store.persistedOperations.list(viewer.accountId);
}

export async function deletePersistedOperation(services: Services, viewer: Viewer | null, hash: string): Promise<PersistedOperation> {
  assertAdmin(viewer);
  if (!sha256Hex.test(hash)) throw new BadUserInputError('id', 'A lowercase hex sha256');
  const deleted = await services.store.write((tx) => tx.persistedOperations.delete(viewer.accountId, hash));
  if (!deleted) throw new NotFoundError('PersistedOperation');
  return deleted;
}

/** The registered document of the viewer's account with this hash, for the persisted-operations lookup; null for anyone else. */
export async function registeredDocumentFor(services: Services, viewer: Viewer | null, hash: string): Promise<string | null> {
  if (!viewer || !sha256Hex.test(hash)) return null;
  return (await services.store.persistedOperations.byHash(viewer.accountId, hash))?.document ?? null;
}
