import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createSector, INGEST } from './helpers/fixtures.js';

// Protocol numbers run 1, 2, 3... per account, also when new conversations open at the same moment
// (PostgreSQL's pool runs them together; the counter, drawn apart from each transaction, hands each its own
// number, and a transaction retried after a conflict keeps the one it drew).

const RACERS = 20;
let app: TestApp;
let sales: string;

beforeAll(async () => {
  app = await startTestApp({ passwords: { memoryCost: 1024, timeCost: 1 } });
  sales = await createSector(app, 'Sales');
});
afterAll(() => app.stop());

describe('protocol numbers', () => {
  it('give 20 conversations opened at once 20 consecutive numbers, none twice', async () => {
    const before = await contactWrites(app, { phone: '5511960000000', body: 'first', sectorId: sales });
    const answers = await Promise.all(
      Array.from({ length: RACERS }, (_, i) => app.admin.request(INGEST, { input: { contact: { phone: `55119600001${String(i).padStart(2, '0')}` }, body: `hello ${i}`, sectorId: sales } })),
    );
    const protocols = answers.map((answer) => answer.ingestMessage.protocol as number).sort((a, b) => a - b);
    expect(new Set(answers.map((answer) => answer.ingestMessage.id)).size).toBe(RACERS);
    expect(protocols).toEqual(Array.from({ length: RACERS }, (_, i) => before.protocol + 1 + i));
    const after = await contactWrites(app, { phone: '5511960000999', body: 'last', sectorId: sales });
    expect(after.protocol).toBe(before.protocol + RACERS + 1);
  });
});
