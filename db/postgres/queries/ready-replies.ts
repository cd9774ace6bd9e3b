import { and, asc, eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgDb } from '../client.js';
import { readyReplies, readyReplyCategories, readyReplySectors } from '../tables/index.js';
import type { ReadyReply } from '../../types.js';
import type { ReadyReplyQueries } from '../../store.js';
import { anyId, idArray, sameId } from './ids.js';
import { containsText } from './search-terms.js';
import { sameName } from './texts.js';

/** A reply with its sector ids (ascending, as SQLite's key order gives them) in the same statement. */
const replyColumns = {
  ...getTableColumns(readyReplies),
  sectorIds: sql<number[]>`coalesce((SELECT array_agg(${readyReplySectors.sectorId} ORDER BY ${readyReplySectors.sectorId}) FROM ${readyReplySectors} WHERE ${readyReplySectors.replyId} = ${readyReplies.id}), '{}')`,
};

/** The position after the last one in the list `where` selects (0 for an empty list). */
const nextPosition = (column: typeof readyReplies.position | typeof readyReplyCategories.position, where: SQL): SQL<number> =>
  sql<number>`(SELECT coalesce(max(${column}), -1) + 1 FROM ${column.table} WHERE ${where})`;

// Two admins adding at once may take the same position; the lists order by (position, id), so the
// tie shows in the order they were added, just as distinct positions would, and a reorder rewrites them.

/**
 * `UPDATE ... FROM` this: each id with its index in the list as the new position. Ids are checked to
 * be a permutation first; a repeated id would keep its last index, as one UPDATE per id did.
 */
const positionsOf = (ids: readonly number[]): SQL =>
  sql`(SELECT DISTINCT ON (id) id, ordinality - 1 AS position FROM unnest(${idArray(ids)}) WITH ORDINALITY AS listed(id, ordinality) ORDER BY id, ordinality DESC) AS given`;

export function readyReplyQueries(db: PgDb): ReadyReplyQueries {
  return {
    async categories(accountId) {
      return db
        .select()
        .from(readyReplyCategories)
        .where(eq(readyReplyCategories.accountId, accountId))
        .orderBy(asc(readyReplyCategories.position), asc(readyReplyCategories.id));
    },

    async categoryById(accountId, id) {
      const [row] = await db
        .select()
        .from(readyReplyCategories)
        .where(and(eq(readyReplyCategories.accountId, accountId), sameId(readyReplyCategories.id, id)));
      return row ?? null;
    },

    /** Case-insensitive, with the unique index's own expression. */
    async categoryNameTaken(accountId, name, exceptId) {
      const same = and(
        eq(readyReplyCategories.accountId, accountId),
        sameName(readyReplyCategories.name, name),
        exceptId === undefined ? undefined : sql`${readyReplyCategories.id} <> ${exceptId}::bigint`,
      );
      const [row] = await db.select({ id: readyReplyCategories.id }).from(readyReplyCategories).where(same).limit(1);
      return row !== undefined;
    },

    async insertCategory(accountId, name, at) {
      const [row] = await db
        .insert(readyReplyCategories)
        .values({ accountId, name, position: nextPosition(readyReplyCategories.position, sql`${readyReplyCategories.accountId} = ${accountId}`), createdAt: at })
        .returning();
      return row!;
    },

    async renameCategory(accountId, id, name) {
      const [row] = await db
        .update(readyReplyCategories)
        .set({ name })
        .where(and(eq(readyReplyCategories.accountId, accountId), sameId(readyReplyCategories.id, id)))
        .returning();
      return row ?? null;
    },

    async deleteCategory(accountId, id) {
      await db.delete(readyReplyCategories).where(and(eq(readyReplyCategories.accountId, accountId), sameId(readyReplyCategories.id, id)));
    },

    /** Each listed category takes its index in `ids` as position, in one statement; others keep theirs. */
    async reorderCategories(accountId, ids) {
      if (ids.length === 0) return;
      await db.execute(sql`
        UPDATE ${readyReplyCategories} SET position = given.position FROM ${positionsOf(ids)}
        WHERE ${readyReplyCategories.accountId} = ${accountId} AND ${readyReplyCategories.id} = given.id`);
    },

    async countReplies(categoryId) {
      return db.$count(readyReplies, sameId(readyReplies.categoryId, categoryId));
    },

    /** Replies of these categories a filter admits, in their order, grouped by category. */
    async repliesOf(accountId, categoryIds, filter) {
      const byCategory = new Map<number, ReadyReply[]>(categoryIds.map((id) => [id, []]));
      if (categoryIds.length === 0) return byCategory;
      const term = filter.search?.trim();
      // A reply with no sectors is for every sector; one with sectors only for theirs.
      const forSectors =
        filter.sectorIds === 'all'
          ? undefined
          : filter.sectorIds.length > 0
            ? sql`(NOT EXISTS (SELECT 1 FROM ${readyReplySectors} s WHERE s.reply_id = ${readyReplies.id})
                OR EXISTS (SELECT 1 FROM ${readyReplySectors} s WHERE s.reply_id = ${readyReplies.id} AND ${anyId(sql`s.sector_id`, filter.sectorIds)}))`
            : sql`NOT EXISTS (SELECT 1 FROM ${readyReplySectors} s WHERE s.reply_id = ${readyReplies.id})`;
      const rows = await db
        .select(replyColumns)
        .from(readyReplies)
        .where(
          and(
            eq(readyReplies.accountId, accountId),
            anyId(readyReplies.categoryId, categoryIds),
            forSectors,
            term ? sql`(${containsText(sql`${readyReplies.title}`, term)} OR ${containsText(sql`${readyReplies.body}`, term)})` : undefined,
          ),
        )
        .orderBy(asc(readyReplies.position), asc(readyReplies.id));
      for (const reply of rows) byCategory.get(reply.categoryId)?.push(reply);
      return byCategory;
    },

    async replyById(accountId, id) {
      const [row] = await db
        .select(replyColumns)
        .from(readyReplies)
        .where(and(eq(readyReplies.accountId, accountId), sameId(readyReplies.id, id)));
      return row ?? null;
    },

    async insertReply(reply, at) {
      const [row] = await db
        .insert(readyReplies)
        .values({ ...reply, position: nextPosition(readyReplies.position, sql`${readyReplies.categoryId} = ${reply.categoryId}`), createdAt: at, updatedAt: at })
        .returning();
      return { ...row!, sectorIds: [] };
    },

    async updateReply(accountId, id, changes, at) {
      // A reply moved to another category goes to its end.
      const position = changes.categoryId ? nextPosition(readyReplies.position, sql`${readyReplies.categoryId} = ${changes.categoryId}`) : undefined;
      await db
        .update(readyReplies)
        .set({ ...changes, ...(position === undefined ? {} : { position }), updatedAt: at })
        .where(and(eq(readyReplies.accountId, accountId), sameId(readyReplies.id, id)));
    },

    async setReplySectors(replyId, sectorIds) {
      await db.delete(readyReplySectors).where(eq(readyReplySectors.replyId, replyId));
      if (sectorIds.length > 0) await db.insert(readyReplySectors).values(sectorIds.map((sectorId) => ({ replyId, sectorId })));
    },

    async deleteReply(accountId, id) {
      await db.delete(readyReplies).where(and(eq(readyReplies.accountId, accountId), sameId(readyReplies.id, id)));
    },

    /** Each listed reply of the category takes its index in `ids` as position, in one statement. */
    async reorderReplies(categoryId, ids) {
      if (ids.length === 0) return;
      await db.execute(sql`
        UPDATE ${readyReplies} SET position = given.position FROM ${positionsOf(ids)}
        WHERE ${readyReplies.categoryId} = ${categoryId} AND ${readyReplies.id} = given.id`);
    },
  };
}
