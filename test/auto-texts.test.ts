import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { testClock } from './helpers/clock.js';
import { withTestDatabase } from './helpers/database.js';
import { contactWrites, createAgent, createSector } from './helpers/fixtures.js';

// Automatic texts in the contact's language: the channel's locale, else the account's; each text
// replaceable per channel. And the call-back offer's state in afterHoursContacts.

const clock = testClock('2026-11-27T21:00:00Z'); // Friday 18:00 in São Paulo: closed
const weekdays = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'].map((weekday) => ({ weekday, start: '08:00', end: '18:00' }));
const hours = { timeZone: 'America/Sao_Paulo', intervals: weekdays };
const CHANNEL = 'mutation($input: CreateChannelInput!) { createChannel(input: $input) { id locale autoTexts { menuRetry callbackQuestion absenceSuggestion } } }';
const UPDATE = 'mutation($id: ID!, $input: UpdateChannelInput!) { updateChannel(id: $id, input: $input) { id locale autoTexts { menuRetry } } }';
const REPLIES = 'query($id: ID!) { ticket(id: $id) { messages(first: 20) { edges { node { body author } } } } }';
const AFTER_HOURS = 'query($c: ID) { afterHoursContacts(channelId: $c) { phone callbackRequested callbackState } }';

let app: TestApp;
let sales: string;
let support: string;
let phone = 0;
const nextPhone = () => `55119500${String(++phone).padStart(5, '0')}`;

async function systemReplies(ticketId: string): Promise<string[]> {
  const { ticket } = await app.admin.request(REPLIES, { id: ticketId });
  return ticket.messages.edges.filter((e: { node: { author: string } }) => e.node.author === 'SYSTEM').map((e: { node: { body: string } }) => e.node.body).reverse();
}
const channel = async (input: Record<string, unknown>) => (await app.admin.request(CHANNEL, { input: { kind: 'WHATSAPP', ...input } })).createChannel;

/** A new contact picks a wrong option on the channel's menu: the menu, then the retry. */
async function menuAndRetry(channelId: string): Promise<string[]> {
  const number = nextPhone();
  const ticket = await contactWrites(app, { phone: number, body: 'oi', channelId });
  await contactWrites(app, { phone: number, body: '9', channelId });
  return systemReplies(ticket.id);
}

beforeAll(async () => {
  app = await startTestApp({ clock, jwt: { ...testConfig('/tmp').jwt, userTokenTtlSeconds: 365 * 86_400 } });
  sales = await createSector(app, 'Sales');
  support = await createSector(app, 'Support');
});
afterAll(() => app.stop());

describe('the sector menu in the contact language', () => {
  it('says its retry in pt-BR and es, and in the words a channel sets', async () => {
    const menu = { greeting: 'Escolha / Elige:', sectorIds: [sales, support] };
    const brazil = await channel({ name: 'WhatsApp BR', locale: 'pt-BR', menu });
    expect(await menuAndRetry(brazil.id)).toEqual(['Escolha / Elige:\n1 - Sales\n2 - Support', 'Desculpe, essa não é uma opção.\nEscolha / Elige:\n1 - Sales\n2 - Support']);
    const mexico = await channel({ name: 'WhatsApp MX', locale: 'es', menu });
    expect((await menuAndRetry(mexico.id))[1]).toBe('Lo sentimos, esa no es una opción.\nEscolha / Elige:\n1 - Sales\n2 - Support');
    const own = await channel({ name: 'WhatsApp own', locale: 'es', menu, autoTexts: { menuRetry: 'Opción inválida, prueba otra vez.' } });
    expect(own.autoTexts).toEqual({ menuRetry: 'Opción inválida, prueba otra vez.', callbackQuestion: null, absenceSuggestion: null });
    expect((await menuAndRetry(own.id))[1]).toBe('Opción inválida, prueba otra vez.\nEscolha / Elige:\n1 - Sales\n2 - Support');
  });

  it("follows the account's locale where the channel sets none", async () => {
    const plain = await channel({ name: 'WhatsApp plain', menu: { greeting: 'Pick:', sectorIds: [sales] } });
    expect(plain.locale).toBeNull();
    expect((await menuAndRetry(plain.id))[1]).toBe('Sorry, that is not an option.\nPick:\n1 - Sales');
    // updateAccount(locale) comes with the account settings; the column is set here the way it stores it.
    await withTestDatabase(app.config.databaseUrl, (db) => db.run("UPDATE accounts SET locale = 'pt-BR'"));
    expect((await menuAndRetry(plain.id))[1]).toBe('Desculpe, essa não é uma opção.\nPick:\n1 - Sales');
  });

  it('refuses an unknown locale, an empty text, and a USER, changing nothing', async () => {
    const target = await channel({ name: 'WhatsApp checked' });
    const ana = await createAgent(app, 'Ana', [sales]);
    const before = await app.snapshot();
    await app.admin.expectCode(UPDATE, { id: target.id, input: { locale: 'fr' } }, 'BAD_USER_INPUT', 'input.locale');
    await app.admin.expectCode(UPDATE, { id: target.id, input: { autoTexts: { menuRetry: '   ' } } }, 'BAD_USER_INPUT', 'input.autoTexts.menuRetry');
    await app.admin.expectCode(CHANNEL, { input: { name: 'WhatsApp fr', kind: 'WHATSAPP', locale: 'fr-FR' } }, 'BAD_USER_INPUT', 'input.locale');
    await ana.client.expectCode(UPDATE, { id: target.id, input: { locale: 'es' } }, 'FORBIDDEN');
    expect(await app.snapshot()).toBe(before);
  });
});

describe('out of hours and the call-back offer', () => {
  it('answers with the default of the channel language when it has no reply of its own, and tells every call-back state apart', async () => {
    const offering = await channel({ name: 'WhatsApp noite', locale: 'pt-BR', businessHours: hours, offerCallback: true });
    const silent = await channel({ name: 'WhatsApp quiet', locale: 'es', businessHours: hours, outOfHoursReply: 'Cerrado.' });

    const [asked, yes, no] = [nextPhone(), nextPhone(), nextPhone()];
    const askedTicket = await contactWrites(app, { phone: asked, body: 'olá', channelId: offering.id, sectorId: sales });
    expect(await systemReplies(askedTicket.id)).toEqual([
      'Estamos fora do horário de atendimento. Voltamos a atender: segunda-feira, 30 de novembro às 08:00.\nQuer que a gente retorne o contato? Responda 1 para sim ou 2 para não.',
    ]);
    await contactWrites(app, { phone: yes, body: 'olá', channelId: offering.id, sectorId: sales });
    await contactWrites(app, { phone: yes, body: 'sim', channelId: offering.id });
    await contactWrites(app, { phone: no, body: 'olá', channelId: offering.id, sectorId: sales });
    await contactWrites(app, { phone: no, body: '2', channelId: offering.id });
    const notOffered = nextPhone();
    const quietTicket = await contactWrites(app, { phone: notOffered, body: 'hola', channelId: silent.id, sectorId: sales });
    expect(await systemReplies(quietTicket.id)).toEqual(['Cerrado.']);

    const states = async (channelId: string) =>
      Object.fromEntries((await app.admin.request(AFTER_HOURS, { c: channelId })).afterHoursContacts.map((row: { phone: string; callbackState: string; callbackRequested: boolean | null }) => [row.phone, [row.callbackState, row.callbackRequested]]));
    expect(await states(offering.id)).toEqual({ [asked]: ['ASKED', null], [yes]: ['REQUESTED', true], [no]: ['DECLINED', false] });
    expect(await states(silent.id)).toEqual({ [notOffered]: ['NOT_OFFERED', null] });
  });

  it('names the colleague of an absent agent in the contact language', async () => {
    clock.set('2026-11-30T12:00:00Z'); // Monday 09:00 in São Paulo: open
    const spanish = await channel({ name: 'Chat ES', locale: 'es', businessHours: hours });
    const [luz, raul] = [await createAgent(app, 'Luz', [sales]), await createAgent(app, 'Raul', [sales])];
    const number = nextPhone();
    const ticket = await contactWrites(app, { phone: number, body: 'hola', channelId: spanish.id, sectorId: sales });
    await luz.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: ticket.id });
    await luz.client.request('mutation($input: SetAbsenceInput!) { setAbsence(input: $input) { enabled } }', { input: { enabled: true, message: 'Estoy de vacaciones.', suggestedUserId: raul.id } });
    await contactWrites(app, { phone: number, body: '¿hay alguien?', channelId: spanish.id });
    expect(await systemReplies(ticket.id)).toEqual(['Estoy de vacaciones.\nMientras tanto, Raul puede ayudarte.']);
  });
});
