import type { PersistedOperation as PersistedOperationRow } from '../../db/types.js';
import { deletePersistedOperation, listPersistedOperations, registerPersistedOperation } from '../../resolvers/persisted-operations.js';
import { builder } from '../builder.js';
import { User } from './user.js';

const PersistedOperation = builder.objectRef<PersistedOperationRow>('PersistedOperation').implement({
  description: "A trusted document an ADMIN registered for the account's consoles: a persisted-only server runs it by its hash",
  fields: (t) => ({
    id: t.exposeID('hash', { description: 'The lowercase hex sha256 of the document: send it as extensions.persistedQuery.sha256Hash' }),
    document: t.exposeString('document', { description: 'The GraphQL text, exactly as registered (the hash is of these characters)' }),
    createdBy: t.field({ type: User, nullable: true, description: 'The ADMIN who registered it (null once that user is gone)', resolve: (operation) => String(operation.createdByUserId) }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was registered' }),
  }),
});

builder.queryFields((t) => ({
  persistedOperations: t.field({
    type: [PersistedOperation],
    description: "ADMIN: the account's registered trusted documents, oldest first (the release's file is not listed)",
    authScopes: { admin: true },
    resolve: (_root, _args, context) => listPersistedOperations(context.services, context.viewer),
  }),
}));

builder.mutationFields((t) => ({
  registerPersistedOperation: t.field({
    type: PersistedOperation,
    description: 'ADMIN: trusts a document for the account; it must parse and validate against this schema (BAD_USER_INPUT on document). Registering the same text again returns the first registration',
    authScopes: { admin: true },
    args: { document: t.arg.string({ required: true, description: 'The GraphQL document, as the console will send it (at most 100,000 characters)' }) },
    resolve: (_root, { document }, context, info) => registerPersistedOperation(context.services, context.viewer, info.schema, document),
  }),
  deletePersistedOperation: t.field({
    type: PersistedOperation,
    description: 'ADMIN: stops trusting a registered document; a persisted-only server refuses its hash from then on (NOT_FOUND when unknown)',
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true, description: 'The sha256 of the document, as registerPersistedOperation returned it' }) },
    resolve: (_root, { id }, context) => deletePersistedOperation(context.services, context.viewer, String(id)),
  }),
}));
