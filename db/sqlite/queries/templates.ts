import { and, asc, eq, ne } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { templates } from '../tables/index.js';
import type { Template } from '../../types.js';

export function templateQueries(db: SqliteDb) {
  return {
    async byId(accountId: number, id: number): Promise<Template | null> {
      return db.select().from(templates).where(and(eq(templates.accountId, accountId), eq(templates.id, id))).get() ?? null;
    },

    async list(accountId: number): Promise<Template[]> {
      return db.select().from(templates).where(eq(templates.accountId, accountId)).orderBy(asc(templates.name), asc(templates.language)).all();
    },

    async exists(accountId: number, name: string, language: string, exceptId?: number): Promise<boolean> {
      const same = and(eq(templates.accountId, accountId), eq(templates.name, name), eq(templates.language, language), exceptId === undefined ? undefined : ne(templates.id, exceptId));
      return (await db.$count(templates, same)) > 0;
    },

    async update(accountId: number, id: number, changes: Partial<Pick<Template, 'name' | 'language' | 'body'>>): Promise<Template | null> {
      return db.update(templates).set(changes).where(and(eq(templates.accountId, accountId), eq(templates.id, id))).returning().get() ?? null;
    },

    async delete(accountId: number, id: number): Promise<boolean> {
      return db.delete(templates).where(and(eq(templates.accountId, accountId), eq(templates.id, id))).run().changes === 1;
    },

    async insert(template: Omit<Template, 'id'>): Promise<Template> {
      return db.insert(templates).values(template).returning().get();
    },
  };
}
