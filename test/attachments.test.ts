import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttachmentStorage, DeskgraphPlugin, PluginApi } from '../plugins/runtime/contract.js';
import type { PublicEvent } from '../resolvers/events/event-contract.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import { executable, multipart, oggOpus, pdf } from './helpers/uploads.js';

// Agents send media through the GraphQL multipart request spec: real multipart POSTs (FormData over
// fetch) to the real endpoint, files read back at /attachments/<id> under the visibility rule.

const MAX_BYTES = 64 * 1024;
const SEND = `mutation($id: ID!, $body: String!, $files: [Upload!]) { sendMessage(ticketId: $id, body: $body, attachments: $files) {
  id kind body attachments { url mime name size } } }`;
const NOTE = `mutation($id: ID!, $body: String!, $files: [Upload!]) { addNote(ticketId: $id, body: $body, attachments: $files) {
  id kind body attachments { url mime name size } } }`;

function download(app: TestApp, url: string, token?: string) {
  return fetch(new URL(url, app.url), { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

/** Every file under the storage folder (none at all when the folder was never made). */
function storedFiles(app: TestApp): string[] {
  try {
    const folder = join(app.dir, 'attachments');
    return readdirSync(folder, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
      .sort();
  } catch {
    return [];
  }
}

const events: PublicEvent<'message.created'>[] = [];
let pluginApi: PluginApi | null = null;
const recorder: DeskgraphPlugin = {
  name: 'recorder',
  setup(api) {
    pluginApi = api;
    api.on('message.created', (event) => void events.push(event));
  },
};

let app: TestApp;
let sales: string;
let ana: Agent; // Sales, answers the ticket
let bruno: Agent; // Support: may not see it
let ticketId: string;

beforeAll(async () => {
  app = await startTestApp({ uploads: { maxBytes: MAX_BYTES }, plugins: [recorder] });
  sales = await createSector(app, 'Sales');
  const support = await createSector(app, 'Support');
  ana = await createAgent(app, 'Ana', [sales]);
  bruno = await createAgent(app, 'Bruno', [support]);
  ticketId = (await contactWrites(app, { phone: '5511977001122', body: 'Can you send me the contract?', sectorId: sales })).id;
  await ana.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: ticketId });
});
afterAll(() => app.stop());

describe('agents send media', () => {
  const audio = oggOpus(20_000);
  const contract = pdf(30_000);
  let audioUrl: string;
  let contractUrl: string;

  it('takes an audio with an empty body and a PDF on a note, typed from their content', async () => {
    const sent = await multipart(app, ana.token, SEND, { id: ticketId, body: '' }, [{ name: 'voice note.ogg', bytes: audio, type: 'application/octet-stream' }]);
    expect(sent.errors).toBeUndefined();
    expect(sent.data!['sendMessage']).toMatchObject({ kind: 'AUDIO', body: null, attachments: [{ mime: 'audio/ogg; codecs=opus', name: 'voice note.ogg', size: 20_000 }] });
    audioUrl = sent.data!['sendMessage'].attachments[0].url;
    expect(audioUrl).toMatch(/^\/attachments\/[0-9a-f-]{36}$/);

    const noted = await multipart(app, ana.token, NOTE, { id: ticketId, body: 'Signed contract' }, [{ name: 'contrato.pdf', bytes: contract, type: 'text/plain' }]);
    expect(noted.errors).toBeUndefined();
    expect(noted.data!['addNote']).toMatchObject({ kind: 'NOTE', body: 'Signed contract', attachments: [{ mime: 'application/pdf', name: 'contrato.pdf', size: 30_000 }] });
    contractUrl = noted.data!['addNote'].attachments[0].url;
    expect(storedFiles(app)).toHaveLength(2);
  });

  it('gives the bytes back to the sender and to an ADMIN; another sector\'s agent gets 404 like a missing file', async () => {
    for (const [url, bytes, mime] of [[audioUrl, audio, 'audio/ogg; codecs=opus'], [contractUrl, contract, 'application/pdf']] as const) {
      for (const token of [ana.token, app.adminToken]) {
        const response = await download(app, url, token);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe(mime);
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
      }
    }
    const hidden = await download(app, contractUrl, bruno.token);
    const missing = await download(app, '/attachments/00000000-0000-4000-8000-000000000000', bruno.token);
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(await hidden.json()).toEqual(await missing.json());
    expect((await download(app, contractUrl)).status).toBe(401);
  });

  it('refuses an oversized file, an executable named .pdf and an empty message with typed errors, storing nothing', async () => {
    const before = await app.snapshot();
    const files = storedFiles(app);
    const tooLarge = await multipart(app, ana.token, SEND, { id: ticketId, body: 'big' }, [{ name: 'big.pdf', bytes: pdf(MAX_BYTES + 1), type: 'application/pdf' }]);
    expect(tooLarge.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'attachments.0', reason: 'TOO_LARGE', maxBytes: MAX_BYTES });
    const disguised = await multipart(app, ana.token, SEND, { id: ticketId, body: 'invoice' }, [
      { name: 'ok.pdf', bytes: contract, type: 'application/pdf' },
      { name: 'invoice.pdf', bytes: executable(), type: 'application/pdf' },
    ]);
    expect(disguised.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'attachments.1', reason: 'TYPE_NOT_ALLOWED', mime: 'application/x-msdownload' });
    await ana.client.expectCode(SEND, { id: ticketId, body: 'x', files: ['not a file'] }, 'BAD_USER_INPUT');
    // Past what ten files of the largest size and the operation can take, the request is refused before it is read.
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: SEND, variables: { id: ticketId, body: 'huge', files: [null] } }));
    form.set('map', JSON.stringify({ 0: ['variables.files.0'] }));
    form.set('0', new Blob([new Uint8Array(pdf(app.config.bodyLimitBytes + 10 * MAX_BYTES + 1))], { type: 'application/pdf' }), 'huge.pdf');
    const huge = await fetch(app.url, { method: 'POST', headers: { authorization: `Bearer ${ana.token}` }, body: form });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { errors: { extensions: unknown }[] }).errors[0]!.extensions).toMatchObject({ code: 'BAD_REQUEST' });
    const empty = await multipart(app, ana.token, SEND, { id: ticketId, body: '  ' }, []);
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'body' });
    // Accepted by the limits, then refused by the visibility rule: the bytes already put are removed again.
    const invisible = await multipart(app, bruno.token, NOTE, { id: ticketId, body: 'peek' }, [{ name: 'a.pdf', bytes: contract, type: 'application/pdf' }]);
    expect(invisible.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(storedFiles(app)).toEqual(files);
    expect(await app.snapshot()).toBe(before);
  });

  it('links the files in the transcript PDF at this server\'s address', async () => {
    const response = await download(app, `/tickets/${encodeURIComponent(ticketId)}/transcript.pdf?notes=1`, ana.token);
    expect(response.status).toBe(200);
    const parser = new PDFParse({ data: new Uint8Array(await response.arrayBuffer()) });
    const text = (await parser.getText()).text;
    await parser.destroy();
    const origin = new URL(app.url).origin;
    expect(text).toContain(`${origin}${audioUrl}`);
    expect(text).toContain(`${origin}${contractUrl}`);
    expect(text).toContain('contrato.pdf');
  });

  it('carries the files in message.created, and a plugin reads their bytes through its API', async () => {
    await app.running.relay.settled();
    const withFiles = events.filter((event) => event.data.message.attachments.length > 0);
    expect(withFiles.map((event) => event.data.message.attachments)).toEqual([
      [{ id: audioUrl.split('/').pop(), url: audioUrl, mime: 'audio/ogg; codecs=opus', name: 'voice note.ogg', size: 20_000 }],
      [{ id: contractUrl.split('/').pop(), url: contractUrl, mime: 'application/pdf', name: 'contrato.pdf', size: 30_000 }],
    ]);
    const read = await pluginApi!.attachments.read(1, contractUrl.split('/').pop()!);
    expect(read).toMatchObject({ mime: 'application/pdf', name: 'contrato.pdf', size: 30_000 });
    expect(new Uint8Array(read!.bytes)).toEqual(contract);
    expect(await pluginApi!.attachments.read(2, contractUrl.split('/').pop()!)).toBeNull();
  });
});

describe('a storage adapter from a plugin', () => {
  /** Keeps the bytes in memory, as an object store would keep them elsewhere. */
  function memoryStorage(name: string) {
    const objects = new Map<string, Uint8Array>();
    const storage: AttachmentStorage = {
      put: async (key, bytes) => void objects.set(key, bytes),
      get: async (key) => objects.get(key) ?? null,
      delete: async (key) => void objects.delete(key),
    };
    // Called through the object, so a test can swap a method after start-up.
    const plugin: DeskgraphPlugin = {
      name,
      setup(api) {
        api.attachments.useStorage({ put: (...args) => storage.put(...args), get: (key) => storage.get(key), delete: (key) => storage.delete(key) });
      },
    };
    return { objects, storage, plugin };
  }

  it('keeps uploaded files there instead of the data folder, and serves them back', async () => {
    const memory = memoryStorage('memory-storage');
    const other = await startTestApp({ plugins: [memory.plugin] });
    try {
      const sector = await createSector(other, 'Sales');
      const agent = await createAgent(other, 'Carla', [sector]);
      const ticket = (await contactWrites(other, { phone: '5511977003344', body: 'hello', sectorId: sector })).id;
      const bytes = pdf(5_000);
      const noted = await multipart(other, agent.token, NOTE, { id: ticket, body: '' }, [{ name: 'terms.pdf', bytes, type: 'application/pdf' }]);
      expect(noted.errors).toBeUndefined();
      const url: string = noted.data!['addNote'].attachments[0].url;
      expect([...memory.objects.keys()]).toEqual([`1/${url.split('/').pop()}`]);
      expect(storedFiles(other)).toEqual([]);
      const response = await download(other, url, agent.token);
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
    } finally {
      await other.stop();
    }
  });

  it('answers STORAGE_UNAVAILABLE when the storage is full, removing what it took and changing nothing', async () => {
    const memory = memoryStorage('full-storage');
    const other = await startTestApp({ plugins: [memory.plugin] });
    try {
      const sector = await createSector(other, 'Sales');
      const agent = await createAgent(other, 'Dora', [sector]);
      const ticket = (await contactWrites(other, { phone: '5511977005566', body: 'hello', sectorId: sector })).id;
      // The first file fits, the second finds the disk full: the first must not stay behind.
      let room = 1;
      const put = memory.storage.put;
      memory.storage.put = async (key, bytes, info) => {
        if (room-- <= 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        await put(key, bytes, info);
      };
      const before = await other.snapshot();
      const files = [1, 2].map((n) => ({ name: `part${n}.pdf`, bytes: pdf(4_000), type: 'application/pdf' }));
      const refused = await multipart(other, agent.token, NOTE, { id: ticket, body: 'two parts' }, files);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'STORAGE_UNAVAILABLE', reason: 'DISK_FULL' });
      expect(memory.objects.size).toBe(0);
      expect(await other.snapshot()).toBe(before);
    } finally {
      await other.stop();
    }
  });

  it('stops start-up when a second plugin offers a storage too, naming both', async () => {
    await expect(startTestApp({ plugins: [memoryStorage('first-store').plugin, memoryStorage('second-store').plugin] })).rejects.toThrow(
      'Plugin "second-store" failed to start: Plugin "second-store": the attachment storage is already provided by plugin "first-store"',
    );
  });
});
