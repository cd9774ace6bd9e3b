import { and, asc, eq, inArray, max, ne, or, sql } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { readyReplies, readyReplyCategories, readyReplySectors } from '../tables/index.js';
import type { ReadyReply, ReadyReplyCategory, ReplyFilter } from '../../types.js';
import { containsText } from './search-terms.js';

export function readyReplyQueries(db: SqliteDb) {
  async function withSectors(rows: Omit<ReadyReply, 'sectorIds'>[]): Promise<ReadyReply[]> {
    if (rows.length === 0) return [];
    const links = db.select().from(readyReplySectors).where(inArray(readyReplySectors.replyId, rows.map((row) => row.id))).all();
    return rows.map((row) => ({ ...row, sectorIds: links.filter((link) => link.replyId === row.id).map((link) => link.sectorId) }));
  }

  return {
    async categories(accountId: number): Promise<ReadyReplyCategory[]> {
      return db.select().from(readyReplyCategories).where(eq(readyReplyCategories.accountId, accountId)).orderBy(asc(readyReplyCategories.position), asc(readyReplyCategories.id)).all();
    },

    async categoryById(accountId: number, id: number): Promise<ReadyReplyCategory | null> {
      return db.select().from(readyReplyCategories).where(and(eq(readyReplyCategories.accountId, accountId), eq(readyReplyCategories.id, id))).get() ?? null;
    },

    async categoryNameTaken(accountId: number, name: string, exceptId?: number): Promise<boolean> {
      const same = and(eq(readyReplyCategories.accountId, accountId), sql`lower(${readyReplyCategories.name}) = lower(${name})`, exceptId === undefined ? undefined : ne(readyReplyCategories.id, exceptId));
      return db.select({ id: readyReplyCategories.id }).from(readyReplyCategories).where(same).get() !== undefined;
    },

    async insertCategory(accountId: number, name: string, at: Date): Promise<ReadyReplyCategory> {
      const last = db.select({ position: max(readyReplyCategories.position) }).from(readyReplyCategories).where(eq(readyReplyCategories.accountId, accountId)).get();
      return db.insert(readyReplyCategories).values({ accountId, name, position: (last?.position ?? -1) + 1, createdAt: at }).returning().get();
    },

    async renameCategory(accountId: number, id: number, name: string): Promise<ReadyReplyCategory | null> {
      return db.update(readyReplyCategories).set({ name }).where(and(eq(readyReplyCategories.accountId, accountId), eq(readyReplyCategories.id, id))).returning().get() ?? null;
    },

    async deleteCategory(accountId: number, id: number): Promise<void> {
      db.delete(readyReplyCategories).where(and(eq(readyReplyCategories.accountId, accountId), eq(readyReplyCategories.id, id))).run();
    },

    async reorderCategories(accountId: number, ids: readonly number[]): Promise<void> {
      ids.forEach((id, position) => db.update(readyReplyCategories).set({ position }).where(and(eq(readyReplyCategories.accountId, accountId), eq(readyReplyCategories.id, id))).run());
    },

    async countReplies(categoryId: number): Promise<number> {
      return db.$count(readyReplies, eq(readyReplies.categoryId, categoryId));
    },

    /** Replies of these categories a filter admits, in their order, grouped by category. */
    async repliesOf(accountId: number, categoryIds: readonly number[], filter: ReplyFilter): Promise<Map<number, ReadyReply[]>> {
      const byCategory = new Map<number, ReadyReply[]>(categoryIds.map((id) => [id, []]));
      if (categoryIds.length === 0) return byCategory;
      const term = filter.search?.trim();
      const forSectors =
        filter.sectorIds === 'all'
          ? undefined
          : or(
              sql`NOT EXISTS (SELECT 1 FROM ready_reply_sectors s WHERE s.reply_id = ${readyReplies.id})`,
              filter.sectorIds.length > 0
                ? sql`EXISTS (SELECT 1 FROM ready_reply_sectors s WHERE s.reply_id = ${readyReplies.id} AND s.sector_id IN (${sql.join(filter.sectorIds.map((id) => sql`${id}`), sql`, `)}))`
                : undefined,
            );
      const rows = db
        .select()
        .from(readyReplies)
        .where(
          and(
            eq(readyReplies.accountId, accountId),
            inArray(readyReplies.categoryId, [...categoryIds]),
            forSectors,
            term ? sql`(${containsText(sql`${readyReplies.title}`, term)} OR ${containsText(sql`${readyReplies.body}`, term)})` : undefined,
          ),
        )
        .orderBy(asc(readyReplies.position), asc(readyReplies.id))
        .all();
      for (const reply of await withSectors(rows)) byCategory.get(reply.categoryId)?.push(reply);
      return byCategory;
    },

    async replyById(accountId: number, id: number): Promise<ReadyReply | null> {
      const row = db.select().from(readyReplies).where(and(eq(readyReplies.accountId, accountId), eq(readyReplies.id, id))).get();
      return row ? ((await withSectors([row]))[0] ?? null) : null;
    },

    async insertReply(reply: { accountId: number; categoryId: number; title: string; body: string }, at: Date): Promise<ReadyReply> {
      const last = db.select({ position: max(readyReplies.position) }).from(readyReplies).where(eq(readyReplies.categoryId, reply.categoryId)).get();
      const row = db.insert(readyReplies).values({ ...reply, position: (last?.position ?? -1) + 1, createdAt: at, updatedAt: at }).returning().get();
      return { ...row, sectorIds: [] };
    },

    async updateReply(accountId: number, id: number, changes: Partial<Pick<ReadyReply, 'title' | 'body' | 'categoryId'>>, at: Date): Promise<void> {
      // A reply moved to another category goes to its end.
      const position = changes.categoryId
        ? (db.select({ position: max(readyReplies.position) }).from(readyReplies).where(eq(readyReplies.categoryId, changes.categoryId)).get()?.position ?? -1) + 1
        : undefined;
      db.update(readyReplies).set({ ...changes, ...(position === undefined ? {} : { position }), updatedAt: at }).where(and(eq(readyReplies.accountId, accountId), eq(readyReplies.id, id))).run();
    },

    async setReplySectors(replyId: number, sectorIds: readonly number[]): Promise<void> {
      db.delete(readyReplySectors).where(eq(readyReplySectors.replyId, replyId)).run();
      if (sectorIds.length > 0) db.insert(readyReplySectors).values(sectorIds.map((sectorId) => ({ replyId, sectorId }))).run();
    },

    async deleteReply(accountId: number, id: number): Promise<void> {
      db.delete(readyReplies).where(and(eq(readyReplies.accountId, accountId), eq(readyReplies.id, id))).run();
    },

    async reorderReplies(categoryId: number, ids: readonly number[]): Promise<void> {
      ids.forEach((id, position) => db.update(readyReplies).set({ position }).where(and(eq(readyReplies.categoryId, categoryId), eq(readyReplies.id, id))).run());
    },
  };
}
