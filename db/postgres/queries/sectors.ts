import { and, asc, eq, ne, sql } from 'drizzle-orm';
import type { PgDb } from '../client.js';
import { sectors, userSectors, users } from '../tables/index.js';
import type { User } from '../../types.js';
import type { SectorQueries } from '../../store.js';
import { anyId, sameId } from './ids.js';
import { byCodePoint, sameName } from './texts.js';
import { publicUserColumns } from './users.js';

export function sectorQueries(db: PgDb): SectorQueries {
  // Loaders ask for ids on every nested page: compiled once per store, only the ids change.
  const sectorsByIds = db
    .select()
    .from(sectors)
    .where(and(anyId(sectors.id, sql.placeholder('ids')), eq(sectors.accountId, sql.placeholder('accountId'))))
    .orderBy(asc(sectors.id))
    .prepare('sectors_by_ids');
  const sectorById = db
    .select()
    .from(sectors)
    .where(and(sameId(sectors.id, sql.placeholder('id')), eq(sectors.accountId, sql.placeholder('accountId'))))
    .prepare('sector_by_id');

  return {
    async byId(accountId, id) {
      const [row] = await sectorById.execute({ id, accountId });
      return row ?? null;
    },

    async byIds(accountId, ids) {
      if (ids.length === 0) return [];
      return sectorsByIds.execute({ ids: [...ids], accountId });
    },

    async list(accountId) {
      return db
        .select()
        .from(sectors)
        .where(eq(sectors.accountId, accountId))
        .orderBy(asc(byCodePoint(sectors.name)), asc(sectors.id));
    },

    /** Case-insensitive, as the unique index on lower(name) is. */
    async nameTaken(accountId, name, exceptSectorId) {
      const where = and(eq(sectors.accountId, accountId), sameName(sectors.name, name), exceptSectorId === undefined ? undefined : ne(sectors.id, exceptSectorId));
      const [row] = await db.select({ id: sectors.id }).from(sectors).where(where).limit(1);
      return row !== undefined;
    },

    /** The agents of many sectors in one statement, grouped by sector id. */
    async agentsOfSectors(accountId, sectorIds) {
      const bySector = new Map<number, User[]>(sectorIds.map((id) => [id, []]));
      if (sectorIds.length === 0) return bySector;
      const rows = await db
        .select({ sectorId: userSectors.sectorId, user: publicUserColumns })
        .from(userSectors)
        .innerJoin(users, eq(users.id, userSectors.userId))
        .where(and(anyId(userSectors.sectorId, sectorIds), eq(users.accountId, accountId)))
        .orderBy(asc(byCodePoint(users.name)), asc(users.id));
      for (const row of rows) bySector.get(row.sectorId)?.push(row.user);
      return bySector;
    },

    async insert(sector, at) {
      const [row] = await db
        .insert(sectors)
        .values({ ...sector, createdAt: at })
        .returning();
      return row!;
    },

    async markAssigned(id, userId) {
      await db.update(sectors).set({ lastAssignedUserId: userId }).where(eq(sectors.id, id));
    },

    async update(accountId, id, changes) {
      const [row] = await db
        .update(sectors)
        .set(changes)
        .where(and(eq(sectors.accountId, accountId), sameId(sectors.id, id)))
        .returning();
      return row ?? null;
    },
  };
}
