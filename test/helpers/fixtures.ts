import type { TestApp } from './app.js';
import type { GqlClient } from './gql.js';

export interface Agent {
  id: string;
  email: string;
  token: string;
  client: GqlClient;
}

let counter = 0;

export async function createSector(app: TestApp, name: string): Promise<string> {
  const { createSector } = await app.admin.request('mutation($name: String!) { createSector(input: { name: $name }) { id } }', { name });
  return createSector.id;
}

/** A USER (or ADMIN) in the given sectors, signed in and ONLINE. */
export async function createAgent(
  app: TestApp,
  name: string,
  sectorIds: string[],
  extra: Record<string, unknown> = {},
  status = 'ONLINE',
): Promise<Agent> {
  counter += 1;
  const email = `${name.toLowerCase()}${counter}@deskgraph.test`;
  const password = `${name}-Passw0rd`;
  const { createUser } = await app.admin.request('mutation($input: CreateUserInput!) { createUser(input: $input) { id } }', {
    input: { name, email, password, role: 'USER', sectorIds, ...extra },
  });
  const { login } = await app.anonymous.request('mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', { e: email, p: password });
  const client = app.as(login.token);
  await client.request('mutation($s: AgentStatus!) { setMyStatus(status: $s) { id } }', { s: status });
  return { id: createUser.id, email, token: login.token, client };
}

export const INGEST = `mutation($input: IngestMessageInput!) { ingestMessage(input: $input) { id protocol status sector { id } } }`;

export interface Writing {
  phone: string;
  body: string;
  name?: string;
  sectorId?: string;
  channelId?: string;
}

/** A contact writes, handed over through the admin's ingestion; returns the ticket. */
export async function contactWrites(app: TestApp, writing: Writing) {
  const { phone, name, ...rest } = writing;
  const { ingestMessage } = await app.admin.request(INGEST, { input: { contact: { phone, name }, ...rest } });
  return ingestMessage as { id: string; protocol: number; status: string; sector: { id: string } | null };
}
