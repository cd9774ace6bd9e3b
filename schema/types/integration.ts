import type { Integration as IntegrationRow } from '../../db/types.js';
import { createIntegration, listIntegrations, revokeIntegration } from '../../resolvers/integrations.js';
import { builder } from '../builder.js';
import { localIdOf } from '../ids.js';

export const Integration = builder.objectRef<IntegrationRow>('Integration').implement({
  description: 'A bot or channel allowed to hand contacts over through ingestion',
  interfaces: [builder.nodeInterfaceRef()],
  isTypeOf: () => true,
  fields: (t) => ({
    id: t.globalID({ resolve: (integration) => ({ type: 'Integration', id: integration.id }) }),
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const IntegrationTokenPayload = builder
  .objectRef<{ integration: IntegrationRow; token: string; expiresAt: Date }>('IntegrationTokenPayload')
  .implement({
    fields: (t) => ({
      integration: t.field({ type: Integration, resolve: (payload) => payload.integration }),
      token: t.exposeString('token', { description: 'Shown once; Deskgraph keeps no copy' }),
      expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    }),
  });

builder.queryFields((t) => ({
  integrations: t.field({
    type: [Integration],
    authScopes: { admin: true },
    resolve: (_root, _args, context) => listIntegrations(context.services, context.viewer),
  }),
}));

builder.mutationFields((t) => ({
  createIntegration: t.field({
    type: IntegrationTokenPayload,
    description: 'Registers a bot or channel and returns a token that may call ingestion',
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: (_root, { name }, context) => createIntegration(context.services, context.viewer, name),
  }),
  revokeIntegration: t.field({
    type: Integration,
    description: 'Its tokens stop working on the next request',
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => revokeIntegration(context.services, context.viewer, localIdOf('Integration', String(id), 'id')),
  }),
}));
