import { and, asc, eq } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { templates } from '../tables/index.js';
import type { Template } from '../types.js';

export function templateQueries(db: SqliteDb) {
  return {
    async byId(accountId: number, id: number): Promise<Template | null> {
      return db.select().from(templates).where(and(eq(templates.accountId, accountId), eq(templates.id, id))).get() ?? null;
    },

    async list(accountId: number): Promise<Template[]> {
      return db.select().from(templates).where(eq(templates.accountId, accountId)).orderBy(asc(templates.name), asc(templates.language)).all();
    },

    async exists(accountId: number, name: string, language: string): Promise<boolean> {
      return (await db.$count(templates, and(eq(templates.accountId, accountId), eq(templates.name, name), eq(templates.language, language)))) > 0;
    },

    async insert(template: Omit<Template, 'id'>): Promise<Template> {
      return db.insert(templates).values(template).returning().get();
    },
  };
}

export type TemplateQueries = ReturnType<typeof templateQueries>;
