import { and, asc, count, eq, getTableColumns, ne, sql } from 'drizzle-orm';
import type { PgDb } from '../client.js';
import { accounts, userSectors, users } from '../tables/index.js';
import type { User, UserWithSectors } from '../../types.js';
import type { UserQueries } from '../../store.js';
import { anyId, sameId } from './ids.js';
import { byCodePoint, sameText } from './texts.js';
import { jsonColumnsOf, rowDecoderOf } from './json-rows.js';

const { passwordHash: _secret, ...userColumnsWithoutSecret } = getTableColumns(users);
/** Every user column but the password hash, which never leaves db/ on a read. */
export const publicUserColumns = userColumnsWithoutSecret;

/** The viewer's row (users.withSectors) as one JSON array: the user, whether their account is suspended, their sector ids. */
export const viewerJson = jsonColumnsOf(users, publicUserColumns, [
  sql`coalesce((SELECT ${accounts.suspendedAt} IS NOT NULL FROM ${accounts} WHERE ${accounts.id} = ${users.accountId}), false)`,
  sql`coalesce((SELECT json_agg(${userSectors.sectorId} ORDER BY ${userSectors.sectorId}) FROM ${userSectors} WHERE ${userSectors.userId} = ${users.id}), '[]')`,
]);

export const viewerOfJson = rowDecoderOf<UserWithSectors>(users, publicUserColumns, ['accountSuspended', 'sectorIds']);

export function userQueries(db: PgDb): UserQueries {
  // The viewer of every request, compiled once per store: only the id changes from one request to the next.
  // One JSON field (json-rows.ts): what the driver and drizzle did per column was most of this read's cost.
  const viewerWithSectors = db
    .select({ viewer: sql<unknown[]>`${viewerJson}` })
    .from(users)
    .where(sameId(users.id, sql.placeholder('id')))
    .prepare('viewer_with_sectors');
  const usersByIds = db
    .select(publicUserColumns)
    .from(users)
    .where(and(anyId(users.id, sql.placeholder('ids')), eq(users.accountId, sql.placeholder('accountId'))))
    .orderBy(asc(users.id))
    .prepare('users_by_ids');

  return {
    /** The viewer of every request: the user and their sector ids (ascending, as SQLite's key order gives them) in one statement. */
    async withSectors(id) {
      const [row] = await viewerWithSectors.execute({ id });
      return row ? viewerOfJson(row.viewer) : null;
    },

    async byId(accountId, id) {
      const [row] = await db
        .select(publicUserColumns)
        .from(users)
        .where(and(sameId(users.id, id), eq(users.accountId, accountId)));
      return row ?? null;
    },

    async byIds(accountId, ids) {
      if (ids.length === 0) return [];
      return usersByIds.execute({ ids: [...ids], accountId });
    },

    async byExternalId(accountId, externalId) {
      const [row] = await db
        .select(publicUserColumns)
        .from(users)
        .where(and(eq(users.accountId, accountId), eq(users.externalId, externalId)));
      return row ?? null;
    },

    async byEmailWithSecret(email) {
      const [row] = await db.select().from(users).where(sameText(users.email, email));
      return row ?? null;
    },

    async secretOf(accountId, id) {
      const [row] = await db
        .select({ passwordHash: users.passwordHash })
        .from(users)
        .where(and(eq(users.accountId, accountId), sameId(users.id, id)));
      return row?.passwordHash ?? null;
    },

    async list(accountId) {
      return db
        .select(publicUserColumns)
        .from(users)
        .where(eq(users.accountId, accountId))
        .orderBy(asc(byCodePoint(users.name)), asc(users.id));
    },

    async emailTaken(email, exceptUserId) {
      const where = exceptUserId === undefined ? sameText(users.email, email) : and(sameText(users.email, email), ne(users.id, exceptUserId));
      const [row] = await db.select({ id: users.id }).from(users).where(where).limit(1);
      return row !== undefined;
    },

    async countActiveAdmins(accountId) {
      const [row] = await db
        .select({ n: count() })
        .from(users)
        .where(and(eq(users.accountId, accountId), eq(users.role, 'ADMIN'), eq(users.active, true)));
      return row?.n ?? 0;
    },

    /** Sector ids per user, for many users in one statement. */
    async sectorIdsOfUsers(userIds) {
      const byUser = new Map<number, number[]>(userIds.map((id) => [id, []]));
      if (userIds.length === 0) return byUser;
      const rows = await db
        .select({ userId: userSectors.userId, sectorId: userSectors.sectorId })
        .from(userSectors)
        .where(anyId(userSectors.userId, userIds))
        .orderBy(asc(userSectors.userId), asc(userSectors.sectorId));
      for (const { userId, sectorId } of rows) byUser.get(userId)?.push(sectorId);
      return byUser;
    },

    async insert(user, at) {
      const [row] = await db
        .insert(users)
        .values({ ...user, createdAt: at, updatedAt: at, statusChangedAt: at })
        .returning(publicUserColumns);
      return row as User;
    },

    async update(accountId, id, changes, at) {
      const [row] = await db
        .update(users)
        .set({ ...changes, updatedAt: at })
        .where(and(eq(users.accountId, accountId), sameId(users.id, id)))
        .returning(publicUserColumns);
      return row ?? null;
    },

    async replaceSectors(userId, sectorIds) {
      await db.delete(userSectors).where(eq(userSectors.userId, userId));
      if (sectorIds.length > 0) {
        await db.insert(userSectors).values(sectorIds.map((sectorId) => ({ userId, sectorId })));
      }
    },
  };
}
