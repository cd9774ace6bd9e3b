import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import WebSocket from 'ws';
import { wsClient, wsExecute, wsUrl } from './helpers/ws.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

/** Speaks graphql-transport-ws by hand: connection_init, then the server's close code. */
function closeCodeOf(connectionParams: Record<string, unknown> | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl(app.url), 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: connectionParams })));
    socket.on('close', (code) => resolve(code));
    socket.on('error', reject);
  });
}

describe('graphql-ws on the same /graphql path', () => {
  it('shares the HTTP context: the same viewer from connectionParams.authorization or .token', async () => {
    for (const params of [{ authorization: `Bearer ${app.adminToken}` }, { token: app.adminToken }]) {
      const client = wsClient(app.url, params);
      const result = await wsExecute(client, '{ me { email role } sectors { name } }');
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ me: { email: 'admin@deskgraph.test', role: 'ADMIN' }, sectors: [] });
      await client.dispose();
    }
  });

  it('applies the same scope rules and error codes as HTTP', async () => {
    const { createUser } = await app.admin.request(
      'mutation { createUser(input: { name: "Wes", email: "wes@deskgraph.test", password: "Wes-passw0rd", role: USER }) { id } }',
    );
    expect(createUser.id).toBeTruthy();
    const { login } = await app.anonymous.request('mutation { login(email: "wes@deskgraph.test", password: "Wes-passw0rd") { token } }');
    const client = wsClient(app.url, { authorization: `Bearer ${login.token}` });
    const result = await wsExecute(client, '{ users { id } }');
    expect(result.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    await client.dispose();
  });

  it.each([
    ['no token', undefined],
    ['a garbage token', { authorization: 'Bearer not.a.jwt' }],
    ['a token signed with another secret', { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJWWE5sY2pveCIsImV4cCI6NDEwMjQ0NDgwMH0.2yKq8mEMLe0oFxgZB0QGfvxJ6cV1p2oaZl4VZXbV2mQ' }],
  ])('closes the socket with 4403 on %s', async (_name, params) => {
    expect(await closeCodeOf(params)).toBe(4403);
  });
});
