import { and, asc, desc, eq } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { idList, preparedOn } from '../prepared.js';
import { hotReads } from '../hot-reads.js';
import { channelOf } from '../rows.js';
import { channels } from '../tables/index.js';
import type { Channel, ChannelChanges, NewChannel } from '../../types.js';

export function channelQueries(db: SqliteDb) {
  const prepared = preparedOn(db);
  return {
    async byId(accountId: number, id: number): Promise<Channel | null> {
      const [row] = prepared.rows(hotReads.channelById, id, accountId);
      return row ? channelOf(row) : null;
    },

    async byIds(accountId: number, ids: readonly number[]): Promise<Channel[]> {
      if (ids.length === 0) return [];
      return prepared.rows(hotReads.channelsByIds, accountId, idList(ids)).map(channelOf);
    },

    async list(accountId: number): Promise<Channel[]> {
      return db
        .select()
        .from(channels)
        .where(eq(channels.accountId, accountId))
        .orderBy(desc(channels.isDefault), asc(channels.name), asc(channels.id))
        .all();
    },

    async defaultOf(accountId: number): Promise<Channel | null> {
      return db.select().from(channels).where(and(eq(channels.accountId, accountId), eq(channels.isDefault, true))).get() ?? null;
    },

    async insert(channel: NewChannel, at: Date): Promise<Channel> {
      return db
        .insert(channels)
        .values({ ...channel, createdAt: at })
        .returning()
        .get();
    },

    async update(accountId: number, id: number, changes: ChannelChanges): Promise<Channel | null> {
      return (
        db
          .update(channels)
          .set(changes)
          .where(and(eq(channels.accountId, accountId), eq(channels.id, id)))
          .returning()
          .get() ?? null
      );
    },
  };
}
