import type { Integration as IntegrationRow } from '../../db/types.js';
import {
  createIntegration,
  listIntegrations,
  revokeIntegration,
  rotateIntegrationToken,
  type IntegrationToken,
} from '../../resolvers/integrations.js';
import { builder } from '../builder.js';
import { localIdOf } from '../ids.js';

const IntegrationScope = builder.enumType('IntegrationScope', {
  description: 'What an integration token may do',
  values: {
    INGEST: { description: 'Hand contacts over: ingestMessage, cancelTicket, rateTicket' },
    READ: { description: "Read the account's tickets, their contacts and messages: ticket(id)" },
  } as const,
});

export const Integration = builder.objectRef<IntegrationRow>('Integration').implement({
  description: 'A bot or channel with its own token (like an API access token), allowed what its scopes say',
  interfaces: [builder.nodeInterfaceRef()],
  isTypeOf: () => true,
  fields: (t) => ({
    id: t.globalID({ resolve: (integration) => ({ type: 'Integration', id: integration.id }) }),
    name: t.exposeString('name'),
    scopes: t.expose('scopes', { type: [IntegrationScope] }),
    tokenHint: t.exposeString('tokenHint', {
      nullable: true,
      description: 'The last characters of its token, to tell tokens apart; null for integrations made before tokens were opaque',
    }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'When its token was last accepted, to the minute' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const IntegrationTokenPayload = builder.objectRef<IntegrationToken>('IntegrationTokenPayload').implement({
  fields: (t) => ({
    integration: t.field({ type: Integration, resolve: (payload) => payload.integration }),
    token: t.exposeString('token', { description: 'Shown once; Deskgraph keeps only its hash. Send it as Authorization: Bearer <token>' }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      deprecationReason: 'Integration tokens do not expire; revoke or rotate them. Always null.',
      resolve: () => null,
    }),
  }),
});

const integrationId = (id: string | number) => localIdOf('Integration', String(id), 'id');

builder.queryFields((t) => ({
  integrations: t.field({
    type: [Integration],
    description: "The account's integrations, newest first; their tokens are never shown again",
    authScopes: { admin: true },
    resolve: (_root, _args, context) => listIntegrations(context.services, context.viewer),
  }),
}));

builder.mutationFields((t) => ({
  createIntegration: t.field({
    type: IntegrationTokenPayload,
    description: 'Registers a bot or channel and returns its token, once',
    authScopes: { admin: true },
    args: {
      name: t.arg.string({ required: true }),
      scopes: t.arg({ type: [IntegrationScope], description: 'What the token may do; [INGEST] when omitted' }),
    },
    resolve: (_root, args, context) => createIntegration(context.services, context.viewer, args),
  }),
  rotateIntegrationToken: t.field({
    type: IntegrationTokenPayload,
    description: 'A new token for the integration, returned once; the old one stops working on the next request',
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => rotateIntegrationToken(context.services, context.viewer, integrationId(id)),
  }),
  revokeIntegration: t.field({
    type: Integration,
    description: 'Its token stops working on the next request',
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => revokeIntegration(context.services, context.viewer, integrationId(id)),
  }),
}));
