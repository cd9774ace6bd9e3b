import { pino } from 'pino';
import { openStore } from '../db/store.js';
import { createTokenService } from '../resolvers/auth/tokens.js';
import { loadConfig } from './config.js';

// Mints a token with the server's JWT_SECRET for a user (by e-mail), for scripts and curl; run it
// where the server runs so it finds the same data folder. Integration tokens are opaque and only
// exist where an ADMIN creates or rotates them (createIntegration, rotateIntegrationToken).
const usage = 'usage: npm run token -- <user e-mail>';

async function main(args: string[]): Promise<void> {
  const log = pino({ level: 'error' });
  const config = loadConfig(process.env, log);
  const store = await openStore({ url: config.databaseUrl });
  try {
    const tokens = createTokenService(config.jwt, { now: () => new Date() });
    if (!args[0] || args[0].startsWith('--')) throw new Error(`${usage}\n(integration tokens: createIntegration or rotateIntegrationToken, as an ADMIN)`);
    const user = await store.users.byEmailWithSecret(args[0].trim().toLowerCase());
    if (!user || !user.active) throw new Error(`no active user with e-mail ${args[0]}`);
    console.log((await tokens.issueUserToken(user.id)).token);
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
