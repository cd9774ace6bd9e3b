import { createHash, randomBytes } from 'node:crypto';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { DeskgraphConfig } from '../../server.js';
import { TEST_SECRET, type TestApp } from './app.js';
import type { GqlClient } from './gql.js';

// "Another account", made as a host platform makes one: createAccount with its platform token,
// upsertUser for the account's ADMIN, and a sign-on token signed by the host's key.

export interface PlatformHost {
  /** The host's platform token (Deskgraph holds only its SHA-256). */
  token: string;
  /** The key the host signs its agents' tokens with. */
  key: CryptoKey;
  /** For startTestApp: the test secret as usual, plus the host's public key and the platform token's digest. */
  settings: Pick<DeskgraphConfig, 'jwt' | 'platform'>;
}

export async function platformHost(): Promise<PlatformHost> {
  const pair = await generateKeyPair('ES256');
  const token = `dgp_${randomBytes(32).toString('base64url')}`;
  return {
    token,
    key: pair.privateKey as CryptoKey,
    settings: {
      jwt: { secret: TEST_SECRET, userTokenTtlSeconds: 3600, clockToleranceSeconds: 5, publicKeyPem: await exportSPKI(pair.publicKey) },
      platform: { tokenSha256: [createHash('sha256').update(token).digest('hex')], provisionOnSignIn: false },
    },
  };
}

/** A token the host signs for its user `externalId` of the account. */
export function hostSignedToken(host: PlatformHost, accountId: string, externalId: string): Promise<string> {
  return new SignJWT({ deskgraph_account: accountId }).setProtectedHeader({ alg: 'ES256' }).setSubject(externalId).setExpirationTime('30m').sign(host.key);
}

export interface OtherAccount {
  accountId: string;
  /** The account's ADMIN, signed in by the host. */
  admin: GqlClient;
  token: string;
  /** The default channel createAccount gives it. */
  channelId: string;
}

/** A new account with an ADMIN signed in through the host, as a platform provisions a tenant. */
export async function anotherAccount(app: TestApp, host: PlatformHost, name: string): Promise<OtherAccount> {
  const platform = app.as(host.token);
  const { createAccount } = await platform.request('mutation($name: String!) { createAccount(input: { name: $name }) { id } }', { name });
  const accountId = createAccount.id as string;
  // E-mails are unique across the installation: the account id keeps them apart.
  await platform.request('mutation($a: ID!, $input: UpsertUserInput!) { upsertUser(accountId: $a, input: $input) { id } }', {
    a: accountId,
    input: { externalId: 'admin', name: 'Admin', email: `admin@account-${accountId}.test`, role: 'ADMIN' },
  });
  const token = await hostSignedToken(host, accountId, 'admin');
  const admin = app.as(token);
  const { channels } = await admin.request('{ channels { id } }');
  return { accountId, admin, token, channelId: channels[0].id as string };
}
