import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitRecordOf } from '../resolvers/live/resume.js';
import { createDomainPubSub } from '../schema/pubsub.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites } from './helpers/fixtures.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

describe('a subscriber that stops reading', () => {
  it('has its subscription ended after 1,024 pending commits, and the server keeps serving', async () => {
    // The account's commit stream as a subscription holds it, over the server's real event source.
    const pubsub = createDomainPubSub(app.running.services.events, commitRecordOf(app.running.services));
    const { me } = await app.admin.request<{ me: { id: string } }>('{ me { id } }');
    const accountId = (await app.running.services.store.users.withSectors(Number(Buffer.from(me.id, 'base64').toString().split(':')[1])))!.accountId;
    const stalled = pubsub.accountCommits(accountId)[Symbol.asyncIterator]();
    const first = stalled.next();

    // Four writers, 1,100 commits; the stalled subscriber takes only the first.
    let phone = 0;
    const writer = async () => {
      while (phone < 1100) await contactWrites(app, { phone: `55118${String(++phone).padStart(8, '0')}`, body: 'anyone?' });
    };
    await Promise.all([writer(), writer(), writer(), writer()]);
    expect((await first).done).toBe(false);

    // What was queued before the overflow is still delivered, in order, then the subscription ends.
    let queued = 0;
    for (let next = await stalled.next(); !next.done; next = await stalled.next()) queued++;
    expect(queued).toBe(1024);
    expect(await contactWrites(app, { phone: '5511899999999', body: 'still there?' })).toMatchObject({ status: 'WAITING' });
    pubsub.stop();
  });
});
