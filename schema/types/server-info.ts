import { serverVersion } from '../../resolvers/operations.js';
import { builder } from '../builder.js';

const ServerInfo = builder.objectRef<{ version: string }>('ServerInfo').implement({
  description: 'The Deskgraph instance answering',
  fields: (t) => ({
    version: t.exposeString('version', { description: 'Deskgraph version (package.json), as in /healthz and /readyz' }),
  }),
});

builder.queryFields((t) => ({
  serverInfo: t.field({
    type: ServerInfo,
    description: 'The version of the server, for consoles that adapt to it',
    authScopes: { authenticated: true, integration: true },
    resolve: () => ({ version: serverVersion }),
  }),
}));
