import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { idList, preparedOn } from '../prepared.js';
import { hotReads } from '../hot-reads.js';
import { publicUserColumns, sectorOf } from '../rows.js';
import { sectors, userSectors, users } from '../tables/index.js';
import type { NewSector, Sector, SectorChanges, User } from '../../types.js';

export function sectorQueries(db: SqliteDb) {
  const prepared = preparedOn(db);
  return {
    async byId(accountId: number, id: number): Promise<Sector | null> {
      const [row] = prepared.rows(hotReads.sectorById, id, accountId);
      return row ? sectorOf(row) : null;
    },

    async byIds(accountId: number, ids: readonly number[]): Promise<Sector[]> {
      if (ids.length === 0) return [];
      return prepared.rows(hotReads.sectorsByIds, accountId, idList(ids)).map(sectorOf);
    },

    async list(accountId: number): Promise<Sector[]> {
      return db.select().from(sectors).where(eq(sectors.accountId, accountId)).orderBy(asc(sectors.name), asc(sectors.id)).all();
    },

    /** Case-insensitive, as the unique index is. */
    async nameTaken(accountId: number, name: string, exceptSectorId?: number): Promise<boolean> {
      const sameName = and(eq(sectors.accountId, accountId), sql`lower(${sectors.name}) = lower(${name})`);
      const where = exceptSectorId === undefined ? sameName : and(sameName, ne(sectors.id, exceptSectorId));
      return db.select({ id: sectors.id }).from(sectors).where(where).get() !== undefined;
    },

    /** The agents of many sectors in one statement, grouped by sector id. */
    async agentsOfSectors(accountId: number, sectorIds: readonly number[]): Promise<Map<number, User[]>> {
      const bySector = new Map<number, User[]>(sectorIds.map((id) => [id, []]));
      if (sectorIds.length === 0) return bySector;
      const rows = db
        .select({ sectorId: userSectors.sectorId, user: publicUserColumns })
        .from(userSectors)
        .innerJoin(users, eq(users.id, userSectors.userId))
        .where(and(inArray(userSectors.sectorId, [...sectorIds]), eq(users.accountId, accountId)))
        .orderBy(asc(users.name), asc(users.id))
        .all();
      for (const row of rows) bySector.get(row.sectorId)?.push(row.user);
      return bySector;
    },

    async insert(sector: NewSector, at: Date): Promise<Sector> {
      return db
        .insert(sectors)
        .values({ ...sector, createdAt: at })
        .returning()
        .get();
    },

    async markAssigned(id: number, userId: number): Promise<void> {
      db.update(sectors).set({ lastAssignedUserId: userId }).where(eq(sectors.id, id)).run();
    },

    async update(accountId: number, id: number, changes: SectorChanges): Promise<Sector | null> {
      return (
        db
          .update(sectors)
          .set(changes)
          .where(and(eq(sectors.accountId, accountId), eq(sectors.id, id)))
          .returning()
          .get() ?? null
      );
    },
  };
}
