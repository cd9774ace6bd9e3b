import { pino } from 'pino';
import { openStore } from '../db/store.js';
import { createTokenService } from '../resolvers/auth/tokens.js';
import { loadConfig } from './config.js';

// Mints a token with the server's JWT_SECRET for a user (by e-mail) or an integration (by number),
// for scripts and curl; run it where the server runs so it finds the same data folder.
const usage = 'usage: npm run token -- <user e-mail> | --integration <number>';

async function main(args: string[]): Promise<void> {
  const log = pino({ level: 'error' });
  const config = loadConfig(process.env, log);
  const store = openStore({ url: config.databaseUrl });
  try {
    const tokens = createTokenService(config.jwt, { now: () => new Date() });
    if (args[0] === '--integration') {
      const integration = await store.integrations.byId(Number(args[1]));
      if (!integration || integration.revokedAt) throw new Error(`no active integration ${args[1] ?? ''}\n${usage}`);
      console.log((await tokens.issueIntegrationToken(integration.id)).token);
      return;
    }
    if (!args[0]) throw new Error(usage);
    const user = await store.users.byEmailWithSecret(args[0].trim().toLowerCase());
    if (!user || !user.active) throw new Error(`no active user with e-mail ${args[0]}`);
    console.log((await tokens.issueUserToken(user.id)).token);
  } finally {
    store.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
