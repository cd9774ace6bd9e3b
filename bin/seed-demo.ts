import { pino } from 'pino';
import { bootstrapFirstAdmin } from '../resolvers/bootstrap.js';
import { ingestMessage } from '../resolvers/tickets/ingest.js';
import { acceptTicket, closeTicket, transferTicket } from '../resolvers/tickets/lifecycle.js';
import { addNote, sendMessage, setTicketTags } from '../resolvers/tickets/conversation.js';
import { createSector } from '../resolvers/sectors.js';
import { createUser, setMyStatus } from '../resolvers/users.js';
import type { UserViewer } from '../resolvers/viewer.js';
import { createServices } from '../server.js';
import { loadConfig } from './config.js';

// npm run seed:demo: a few sectors, agents (logins printed), contacts and tickets in every state,
// made through the same domain functions the API calls, so a first GraphiQL query shows something.

const log = pino({ level: 'warn' });
const config = loadConfig(process.env, log);
const services = await createServices(config, log);

async function main(): Promise<void> {
  const boot = await bootstrapFirstAdmin(services, config.bootstrap);
  if (boot.created && boot.generatedPassword) console.log(`First ADMIN: ${boot.email} / ${boot.generatedPassword}`);
  const admin = await services.store.users.byEmailWithSecret((config.bootstrap.email ?? 'admin@localhost').toLowerCase());
  if (!admin) throw new Error('No bootstrap ADMIN found: set BOOTSTRAP_ADMIN_EMAIL to the first admin of this database');
  if ((await services.store.sectors.list(admin.accountId)).some((sector) => sector.name === 'Sales')) {
    console.log('Demo data is already there (a sector "Sales" exists); nothing to do.');
    return;
  }
  const adminViewer: UserViewer = { kind: 'user', userId: admin.id, accountId: admin.accountId, role: 'ADMIN', sectorIds: [], canViewUnsectored: false, expiresAt: 0 };
  const sales = await createSector(services, adminViewer, { name: 'Sales', color: '#16a34a', greeting: 'Welcome to Sales!' });
  const support = await createSector(services, adminViewer, { name: 'Support', color: '#2563eb' });
  const billing = await createSector(services, adminViewer, { name: 'Billing', color: '#ea580c' });

  const logins: string[] = [];
  const agent = async (name: string, sectorIds: number[], extra: { canDismissWaiting?: boolean } = {}) => {
    const email = `${name.toLowerCase()}@demo.deskgraph`;
    const password = `${name}-Demo2024`;
    const user = await createUser(services, adminViewer, { name, email, password, role: 'USER', sectorIds, ...extra });
    const viewer: UserViewer = { kind: 'user', userId: user.id, accountId: user.accountId, role: 'USER', sectorIds, canViewUnsectored: user.canViewUnsectored, expiresAt: 0 };
    await setMyStatus(services, viewer, 'ONLINE');
    logins.push(`  ${email.padEnd(26)} ${password.padEnd(16)} ${name} (${sectorIds.length} sector${sectorIds.length > 1 ? 's' : ''})`);
    return viewer;
  };
  const ana = await agent('Ana', [sales.id]);
  const bruno = await agent('Bruno', [support.id, billing.id]);
  const carla = await agent('Carla', [sales.id, support.id], { canDismissWaiting: true });

  const write = (phone: string, name: string | null, body: string, sectorId?: number) =>
    ingestMessage(services, adminViewer, { contact: { phone, name }, body, sectorId: sectorId ?? null });

  await write('5511990010001', 'Maria Souza', 'Hi! Do you deliver to Campinas?', sales.id);
  await write('5511990010002', 'João Lima', 'My invoice is wrong', billing.id);
  await write('5511990010003', null, 'Hello?');
  const open1 = await write('5511990010004', 'Paula Costa', 'I want to upgrade my plan', sales.id);
  await acceptTicket(services, ana, open1.id);
  await sendMessage(services, ana, open1.id, 'Hi Paula! Happy to help. Which plan are you on?');
  await addNote(services, ana, open1.id, 'Existing customer since 2021');
  await setTicketTags(services, ana, open1.id, ['upgrade', 'vip']);
  const open2 = await write('5511990010005', 'Rafael Rocha', 'The app crashes on login', support.id);
  await acceptTicket(services, bruno, open2.id);
  await sendMessage(services, bruno, open2.id, 'Sorry about that! Which phone do you use?');
  const moved = await write('5511990010006', 'Lúcia Alves', 'I was charged twice', sales.id);
  await transferTicket(services, carla, moved.id, { sectorId: billing.id });
  const closed = await write('5511990010007', 'Pedro Santos', 'Thanks, all solved!', support.id);
  await acceptTicket(services, carla, closed.id);
  await sendMessage(services, carla, closed.id, 'Glad to hear it. Have a great day!');
  await closeTicket(services, carla, closed.id);
  const spam = await write('5511990010008', null, 'WIN A PRIZE NOW', sales.id);
  await closeTicket(services, carla, spam.id);

  console.log('Demo data created: 3 sectors, 3 agents, 8 contacts, tickets WAITING, OPEN and CLOSED.');
  console.log(`Agent logins (e-mail, password):\n${logins.join('\n')}`);
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(() => services.store.close());
