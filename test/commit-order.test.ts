import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../db/store.js';
import { domainEventsOf, type DomainEvent } from '../resolvers/events.js';
import { commitRecordOf, type CommitRecord } from '../resolvers/live/resume.js';
import { createDomainPubSub, type DomainPubSub } from '../schema/pubsub.js';
import { dropDatabase, prepareDatabase } from './helpers/database.js';

// Each instance hears its own commits at once and other instances' commits when Redis brings them, or
// never (Redis away). The live streams still get each account's commits in commit order, each once: a
// commit waits for its predecessor, whose message comes late or is read from the outbox. Here a real store
// on either engine, and in Redis's place an event target that holds back or loses the messages a test picks.

/** Redis as a test wants it: the next commit's message is delivered, held back until released, or lost. */
class Bell extends EventTarget {
  next: 'deliver' | 'hold' | 'lose' = 'deliver';
  readonly heldBack: Event[] = [];

  override dispatchEvent(event: Event): boolean {
    if (!event.type.startsWith('account-commits:') || this.next === 'deliver') return super.dispatchEvent(event);
    if (this.next === 'hold') this.heldBack.push(event);
    this.next = 'deliver';
    return true;
  }

  release(): void {
    for (const event of this.heldBack.splice(0)) super.dispatchEvent(event);
  }

  /** Listeners on each account's channel: what a Redis event target subscribes to while it has any. */
  readonly listening = new Map<string, number>();

  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean): void {
    this.listening.set(type, (this.listening.get(type) ?? 0) + 1);
    super.addEventListener(type, listener, options);
  }

  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: EventListenerOptions | boolean): void {
    this.listening.set(type, (this.listening.get(type) ?? 0) - 1);
    super.removeEventListener(type, listener, options);
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** An account's stream as a subscription holds it, listening at once, read commit by commit with a deadline. */
function listen(pubsub: DomainPubSub, accountId: number) {
  const commits = pubsub.accountCommits(accountId)[Symbol.asyncIterator]();
  let pending = commits.next();
  return {
    async take(count: number, timeoutMs = 10_000): Promise<string[]> {
      const taken: string[] = [];
      while (taken.length < count) {
        let timer: NodeJS.Timeout | undefined;
        const next = await Promise.race([
          pending,
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`only ${taken.join(', ')} of ${count} commits arrived`)), timeoutMs))),
        ]).finally(() => clearTimeout(timer));
        if (next.done) throw new Error('the stream ended');
        pending = commits.next();
        taken.push(labelOf(next.value));
      }
      return taken;
    },
    stop: () => void commits.return?.(),
  };
}

const labelOf = (commit: DomainEvent[]) => commit.map((event) => (event.payload as { label?: string }).label).join('+');

let dir: string;
let store: Store;
const pubsubs: DomainPubSub[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deskgraph-commit-order-'));
  store = await openStore({ url: await prepareDatabase(dir) });
});

afterEach(() => {
  for (const pubsub of pubsubs.splice(0)) pubsub.stop();
});

afterAll(async () => {
  await store.close();
  await dropDatabase(dir);
  rmSync(dir, { recursive: true, force: true });
});

async function account(name: string): Promise<number> {
  return (await store.write((tx) => tx.accounts.insert({ name, timeZone: 'UTC' }, new Date()))).id;
}

/** One transaction recording one event (or two) of the account. */
async function commit(accountId: number, ...labels: string[]): Promise<void> {
  await store.write(async (tx) => {
    for (const label of labels) await tx.record({ accountId, type: 'account.updated', payload: { byUserId: null, changed: [], label }, occurredAt: new Date() });
  });
}

function pubsubOn(bell: Bell, away = () => false, record: CommitRecord = commitRecordOf({ store }), reportError: (error: unknown) => void = () => undefined): DomainPubSub {
  const pubsub = createDomainPubSub(domainEventsOf(store), record, { eventTarget: bell, away, reportError });
  pubsubs.push(pubsub);
  return pubsub;
}

/** A stream that has heard a first commit: where the account stood is known from then on. */
async function listening(pubsub: DomainPubSub, accountId: number) {
  const stream = listen(pubsub, accountId);
  await commit(accountId, 'warm-up');
  expect(await stream.take(1)).toEqual(['warm-up']);
  return stream;
}

describe('the commits of an account on one instance', () => {
  it('arrive in commit order when a message comes before its predecessor\'s, with nothing read from the outbox', async () => {
    const bell = new Bell();
    const pubsub = pubsubOn(bell);
    const acme = await account('Late bell');
    const stream = await listening(pubsub, acme);
    bell.next = 'hold';
    await commit(acme, 'first', 'first-b');
    await commit(acme, 'second');
    bell.release();
    await commit(acme, 'third');
    expect(await stream.take(3)).toEqual(['first+first-b', 'second', 'third']);
    expect(pubsub.recoveredCommits()).toBe(0);
    stream.stop();
  });

  it('are read from the outbox when a predecessor\'s message never comes, each once even if it comes after all', async () => {
    const bell = new Bell();
    const pubsub = pubsubOn(bell);
    const acme = await account('Lost bell');
    const stream = await listening(pubsub, acme);
    bell.next = 'hold';
    await commit(acme, 'first');
    await commit(acme, 'second');
    // The second waits for the first, then both are read from the outbox.
    expect(await stream.take(2)).toEqual(['first', 'second']);
    expect(pubsub.recoveredCommits()).toBe(2);
    bell.release();
    await commit(acme, 'third');
    expect(await stream.take(1)).toEqual(['third']);
    expect(pubsub.recoveredCommits()).toBe(2);
    stream.stop();
  });

  it('of two accounts written in turn follow each account\'s own order: nothing waits for the other account', async () => {
    const bell = new Bell();
    const pubsub = pubsubOn(bell);
    const [north, south] = [await account('North'), await account('South')];
    const [northStream, southStream] = [await listening(pubsub, north), await listening(pubsub, south)];
    for (let round = 0; round < 5; round++) {
      await commit(north, `north ${round}`);
      await commit(south, `south ${round}`);
    }
    expect(await northStream.take(5)).toEqual([0, 1, 2, 3, 4].map((round) => `north ${round}`));
    expect(await southStream.take(5)).toEqual([0, 1, 2, 3, 4].map((round) => `south ${round}`));
    expect(pubsub.recoveredCommits()).toBe(0);
    northStream.stop();
    southStream.stop();
  });

  it('while Redis is away, a lost message is read from the outbox though no later commit shows the gap', async () => {
    const bell = new Bell();
    let away = false;
    const pubsub = pubsubOn(bell, () => away);
    const acme = await account('Away');
    const stream = await listening(pubsub, acme);
    away = true;
    bell.next = 'lose';
    await commit(acme, 'while away');
    expect(await stream.take(1)).toEqual(['while away']);
    expect(pubsub.recoveredCommits()).toBe(1);
    stream.stop();
  });

  it('reach every listener of the account, and a listener that joins later from then on; where the account stood is read once', async () => {
    const bell = new Bell();
    const record = commitRecordOf({ store });
    let startsRead = 0;
    const pubsub = pubsubOn(bell, () => false, { ...record, latestOf: (accountId) => (startsRead++, record.latestOf(accountId)) });
    const acme = await account('Two listeners');
    const first = await listening(pubsub, acme);
    const second = listen(pubsub, acme);
    bell.next = 'hold';
    await commit(acme, 'one');
    await commit(acme, 'two');
    bell.release();
    expect(await first.take(2)).toEqual(['one', 'two']);
    expect(await second.take(2)).toEqual(['one', 'two']);
    expect(startsRead).toBe(1);
    first.stop();
    second.stop();
  });

  it('that arrive before the outbox has said where the account stood are all delivered, oldest first', async () => {
    const bell = new Bell();
    const record = commitRecordOf({ store });
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const pubsub = pubsubOn(bell, () => false, { ...record, latestOf: async (accountId) => (await answered, record.latestOf(accountId)) });
    const acme = await account('Slow start');
    // A history before the listener: the first commit heard does not follow "nothing".
    await commit(acme, 'earlier');
    const stream = listen(pubsub, acme);
    // Committed after listening began, heard newest first, while the start is still unknown.
    bell.next = 'hold';
    await commit(acme, 'one');
    await commit(acme, 'two');
    await commit(acme, 'three');
    bell.release();
    answer();
    expect(await stream.take(3)).toEqual(['one', 'two', 'three']);
    await commit(acme, 'four');
    expect(await stream.take(1)).toEqual(['four']);
    expect(pubsub.recoveredCommits()).toBe(0);
    stream.stop();
  });

  it('start once the outbox answers, after a failed first read of where the account stood, which is reported', async () => {
    const bell = new Bell();
    const record = commitRecordOf({ store });
    let failures = 1;
    const reported: unknown[] = [];
    const pubsub = pubsubOn(
      bell,
      () => false,
      { ...record, latestOf: async (accountId) => (failures-- > 0 ? Promise.reject(new Error('the outbox is away')) : record.latestOf(accountId)) },
      (error) => void reported.push(error),
    );
    const acme = await account('Failed start');
    const stream = listen(pubsub, acme);
    await commit(acme, 'one');
    expect(await stream.take(1)).toEqual(['one']);
    expect(reported.map((error) => (error as Error).message)).toEqual(['the outbox is away']);
    stream.stop();
  });

  it('stop listening to the account\'s channel when its last listener leaves, and start again with the next', async () => {
    const bell = new Bell();
    const pubsub = pubsubOn(bell);
    const acme = await account('Leaving');
    const channel = `account-commits:${acme}`;
    const first = await listening(pubsub, acme);
    const second = listen(pubsub, acme);
    await commit(acme, 'both');
    expect(await second.take(1)).toEqual(['both']);
    expect(bell.listening.get(channel)).toBe(1);
    first.stop();
    await commit(acme, 'second only');
    expect(await second.take(1)).toEqual(['second only']);
    second.stop();
    await until(() => bell.listening.get(channel) === 0, 'the channel left');
    const again = await listening(pubsub, acme);
    expect(bell.listening.get(channel)).toBe(1);
    again.stop();
  });

  it('while Redis is away before the outbox has said where the account stood, nothing older than the listener is read', async () => {
    const bell = new Bell();
    const record = commitRecordOf({ store });
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    let polls = 0;
    const pubsub = pubsubOn(bell, () => (polls++, true), { ...record, latestOf: async (accountId) => (await answered, record.latestOf(accountId)) });
    const acme = await account('Away at start');
    await commit(acme, 'before listening');
    const stream = listen(pubsub, acme);
    await until(() => polls >= 2, 'two polls while the start is unknown');
    answer();
    await commit(acme, 'after listening');
    expect(await stream.take(1)).toEqual(['after listening']);
    stream.stop();
  });

  it('report a failed read of the outbox, and read again at the next poll', async () => {
    const bell = new Bell();
    const record = commitRecordOf({ store });
    let failures = 1;
    const reported: string[] = [];
    const pubsub = pubsubOn(
      bell,
      () => true,
      { ...record, after: (accountId, eventId) => (failures-- > 0 ? failingRead() : record.after(accountId, eventId)) },
      (error) => void reported.push((error as Error).message),
    );
    const acme = await account('Failed read');
    const stream = await listening(pubsub, acme);
    bell.next = 'lose';
    await commit(acme, 'lost');
    expect(await stream.take(1)).toEqual(['lost']);
    expect(reported).toContain('the outbox is away');
    stream.stop();
  });
});

async function* failingRead(): AsyncGenerator<DomainEvent[]> {
  yield* [];
  throw new Error('the outbox is away');
}
