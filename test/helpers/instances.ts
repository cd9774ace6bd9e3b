import { ADMIN_EMAIL, ADMIN_PASSWORD, TEST_SECRET, type TestApp } from './app.js';
import { startEntry, type RunningEntry } from './child.js';
import { gqlClient } from './gql.js';

const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }';

/** A server started as `npm start` does (a child process), seen as the fixtures see a test app, signed in as the admin. */
export type Instance = Pick<TestApp, 'url' | 'anonymous' | 'admin' | 'adminToken' | 'as'> & { entry: RunningEntry };

export const asApp = (instance: Instance) => instance as unknown as TestApp;

/** `npm start` with the test's secret and bootstrap admin plus `env` (database, Redis, limits), run in `dir`. */
export async function startInstance(env: Record<string, string>, dir: string): Promise<Instance> {
  const entry = await startEntry(
    { PORT: '0', HOST: '127.0.0.1', JWT_SECRET: TEST_SECRET, BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL, BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD, ...env },
    60_000,
    dir,
  );
  const anonymous = gqlClient(entry.url);
  const { login } = await anonymous.request<{ login: { token: string } }>(LOGIN, { e: ADMIN_EMAIL, p: ADMIN_PASSWORD });
  return { entry, url: entry.url, anonymous, admin: gqlClient(entry.url, login.token), adminToken: login.token, as: (token) => gqlClient(entry.url, token) };
}
