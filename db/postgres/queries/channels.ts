import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { PgDb } from '../client.js';
import { channels } from '../tables/index.js';
import type { ChannelQueries } from '../../store.js';
import { anyId, sameId } from './ids.js';
import { byCodePoint } from './texts.js';

export function channelQueries(db: PgDb): ChannelQueries {
  // Loaders ask for ids on every nested page: compiled once per store, only the ids change.
  const channelsByIds = db
    .select()
    .from(channels)
    .where(and(anyId(channels.id, sql.placeholder('ids')), eq(channels.accountId, sql.placeholder('accountId'))))
    .orderBy(asc(channels.id))
    .prepare('channels_by_ids');
  // Every ingested message reads its channel: compiled once per connection.
  const channelById = db
    .select()
    .from(channels)
    .where(and(sameId(channels.id, sql.placeholder('id')), eq(channels.accountId, sql.placeholder('accountId'))))
    .prepare('channel_by_id');
  const defaultChannel = db
    .select()
    .from(channels)
    .where(and(eq(channels.accountId, sql.placeholder('accountId')), eq(channels.isDefault, true)))
    .orderBy(asc(channels.id))
    .limit(1)
    .prepare('default_channel');

  return {
    async byId(accountId, id) {
      const [row] = await channelById.execute({ id, accountId });
      return row ?? null;
    },

    async byIds(accountId, ids) {
      if (ids.length === 0) return [];
      return channelsByIds.execute({ ids: [...ids], accountId });
    },

    async list(accountId) {
      return db
        .select()
        .from(channels)
        .where(eq(channels.accountId, accountId))
        .orderBy(desc(channels.isDefault), asc(byCodePoint(channels.name)), asc(channels.id));
    },

    async defaultOf(accountId) {
      const [row] = await defaultChannel.execute({ accountId });
      return row ?? null;
    },

    async insert(channel, at) {
      const [row] = await db
        .insert(channels)
        .values({ ...channel, createdAt: at })
        .returning();
      return row!;
    },

    async update(accountId, id, changes) {
      const [row] = await db
        .update(channels)
        .set(changes)
        .where(and(eq(channels.accountId, accountId), sameId(channels.id, id)))
        .returning();
      return row ?? null;
    },
  };
}
