import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeskgraph, type RunningDeskgraph } from '../server.js';
import { testConfig } from './helpers/app.js';
import { prepareDatabase } from './helpers/database.js';
import { gqlClient } from './helpers/gql.js';

// The README's calls, run as written against a fresh server, so the tutorial cannot rot.
const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const PASSWORD = 'Admin-Passw0rd';

function section(title: string): string {
  const start = readme.indexOf(`## ${title}`);
  expect(start, `README has a "${title}" section`).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

function codeBlock(text: string, language: string): string {
  const match = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(text);
  expect(match, `a ${language} block`).not.toBeNull();
  return match![1]!;
}

let dir: string;
let running: RunningDeskgraph;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deskgraph-readme-'));
  await prepareDatabase(dir);
  running = await startDeskgraph(testConfig(dir, { bootstrap: { email: 'admin@localhost', password: PASSWORD } }), {
    port: 0,
    host: '127.0.0.1',
    log: pino({ level: 'silent' }),
  });
});
afterAll(async () => {
  await running?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('README', () => {
  it('"A first query" runs as written (curl and sed)', async () => {
    const script = codeBlock(section('A first query'), 'sh').replaceAll('localhost:4000', `127.0.0.1:${running.port}`).replace('<password>', PASSWORD);
    // Asynchronously: the server answering curl runs in this process.
    const { stdout: output } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { encoding: 'utf8', timeout: 20_000 });
    expect(JSON.parse(output)).toEqual({
      data: { me: { id: expect.any(String), name: 'Administrator', role: 'ADMIN' }, sectors: [], channels: [{ name: 'Default', kind: 'API' }] },
    });
  });

  it('"Tickets, start to finish" takes a ticket through its life on a fresh database', async () => {
    const block = codeBlock(section('Tickets, start to finish'), 'graphql');
    const anonymous = gqlClient(running.url);
    const admin = gqlClient(running.url, (await anonymous.request(`mutation { login(email: "admin@localhost", password: "${PASSWORD}") { token } }`)).login.token);
    const clients: Record<string, typeof admin> = { ADMIN: admin, anyone: anonymous };
    const ids: Record<string, string> = {};
    const answers: Record<string, any>[] = [];
    let who: string | null = null;
    for (const line of block.split('\n').map((l) => l.trim()).filter(Boolean)) {
      if (line.startsWith('#')) {
        who = /^#\s*(ADMIN|Ana|anyone)\b/.exec(line)?.[1] ?? null;
        continue;
      }
      expect(who, `who sends: ${line}`).not.toBeNull();
      const operation = line.replace(/<(Sector|Ticket) id>/g, (_, name: string) => ids[name] ?? `<missing ${name} id>`);
      const client = clients[who!];
      expect(client, `${who} has a token by now`).toBeDefined();
      const data = await client!.request(operation);
      answers.push(data);
      if (data['createSector']) ids['Sector'] = data['createSector'].id;
      if (data['ingestMessage']) ids['Ticket'] = data['ingestMessage'].id;
      if (data['login']) clients['Ana'] = gqlClient(running.url, data['login'].token);
      who = null;
    }
    expect(answers).toHaveLength(9);
    const [, ana, login, status, ingested, waiting, accepted, sent, closed] = answers;
    expect(ana!['createUser'].name).toBe('Ana');
    expect(login!['login'].user).toEqual({ name: 'Ana' });
    expect(status!['setMyStatus']).toEqual({ status: 'ONLINE' });
    expect(ingested!['ingestMessage']).toMatchObject({ status: 'WAITING', protocol: expect.any(Number) });
    expect(waiting!['tickets'].totalCount).toBe(1);
    expect(waiting!['tickets'].edges[0].node).toMatchObject({ id: ids['Ticket'], contact: { name: 'Maria' }, lastMessage: { body: 'Hi!' } });
    expect(accepted!['acceptTicket']).toEqual({ status: 'OPEN', assignee: { name: 'Ana' } });
    expect(sent!['sendMessage']).toEqual({ body: 'Hello Maria!' });
    expect(closed!['closeTicket']).toEqual({ status: 'CLOSED' });
  });

  it('links only to files inside the repository', () => {
    const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((match) => match[1]!);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      expect(link, link).not.toMatch(/^[a-z]+:|^\.\.\//);
      expect(() => readFileSync(join(import.meta.dirname, '..', link.split('#')[0]!)), link).not.toThrow();
    }
    expect(readme).not.toContain('../shared');
  });
});
