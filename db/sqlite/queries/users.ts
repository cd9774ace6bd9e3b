import { and, asc, count, eq, ne } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { idList, preparedOn } from '../prepared.js';
import { hotReads } from '../hot-reads.js';
import { publicUserColumns, userOf } from '../rows.js';
import { userSectors, users } from '../tables/index.js';
import type { NewUser, User, UserChanges, UserWithSecret, UserWithSectors } from '../../types.js';

export function userQueries(db: SqliteDb) {
  const prepared = preparedOn(db);

  return {
    /** The user behind a token, with their sector ids; no account filter since the id is the key. */
    async withSectors(id: number): Promise<UserWithSectors | null> {
      const [row] = prepared.rows(hotReads.userWithSectors, id);
      return row ? { ...userOf(row), accountSuspended: row.at(-2) === 1, sectorIds: JSON.parse(row.at(-1) as string) as number[] } : null;
    },

    async byId(accountId: number, id: number): Promise<User | null> {
      const [row] = prepared.rows(hotReads.userById, id, accountId);
      return row ? userOf(row) : null;
    },

    async byIds(accountId: number, ids: readonly number[]): Promise<User[]> {
      if (ids.length === 0) return [];
      return prepared.rows(hotReads.usersByIds, accountId, idList(ids)).map(userOf);
    },

    async byExternalId(accountId: number, externalId: string): Promise<User | null> {
      return db.select(publicUserColumns).from(users).where(and(eq(users.accountId, accountId), eq(users.externalId, externalId))).get() ?? null;
    },

    async byEmailWithSecret(email: string): Promise<UserWithSecret | null> {
      return db.select().from(users).where(eq(users.email, email)).get() ?? null;
    },

    async secretOf(accountId: number, id: number): Promise<string | null> {
      const row = db
        .select({ passwordHash: users.passwordHash })
        .from(users)
        .where(and(eq(users.accountId, accountId), eq(users.id, id)))
        .get();
      return row?.passwordHash ?? null;
    },

    async list(accountId: number): Promise<User[]> {
      return db.select(publicUserColumns).from(users).where(eq(users.accountId, accountId)).orderBy(asc(users.name), asc(users.id)).all();
    },

    async emailTaken(email: string, exceptUserId?: number): Promise<boolean> {
      const where = exceptUserId === undefined ? eq(users.email, email) : and(eq(users.email, email), ne(users.id, exceptUserId));
      return db.select({ id: users.id }).from(users).where(where).get() !== undefined;
    },

    async countActiveAdmins(accountId: number): Promise<number> {
      const row = db
        .select({ n: count() })
        .from(users)
        .where(and(eq(users.accountId, accountId), eq(users.role, 'ADMIN'), eq(users.active, true)))
        .get();
      return row?.n ?? 0;
    },

    /** Sector ids per user, for many users in one statement. */
    async sectorIdsOfUsers(userIds: readonly number[]): Promise<Map<number, number[]>> {
      const byUser = new Map<number, number[]>(userIds.map((id) => [id, []]));
      if (userIds.length === 0) return byUser;
      const rows = prepared.rows(hotReads.sectorIdsOfUsers, idList(userIds));
      for (const [userId, sectorId] of rows) byUser.get(userId as number)?.push(sectorId as number);
      return byUser;
    },

    async insert(user: NewUser, at: Date): Promise<User> {
      const { passwordHash: _hash, ...row } = db
        .insert(users)
        .values({ ...user, createdAt: at, updatedAt: at, statusChangedAt: at })
        .returning()
        .get();
      return row;
    },

    async update(accountId: number, id: number, changes: UserChanges, at: Date): Promise<User | null> {
      const row = db
        .update(users)
        .set({ ...changes, updatedAt: at })
        .where(and(eq(users.accountId, accountId), eq(users.id, id)))
        .returning(publicUserColumns)
        .get();
      return row ?? null;
    },

    async replaceSectors(userId: number, sectorIds: readonly number[]): Promise<void> {
      db.delete(userSectors).where(eq(userSectors.userId, userId)).run();
      if (sectorIds.length > 0) {
        db.insert(userSectors)
          .values(sectorIds.map((sectorId) => ({ userId, sectorId })))
          .run();
      }
    },
  };
}
