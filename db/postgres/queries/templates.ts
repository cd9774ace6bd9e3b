import { and, asc, eq, ne } from 'drizzle-orm';
import type { PgDb } from '../client.js';
import { templates } from '../tables/index.js';
import type { TemplateQueries } from '../../store.js';
import { sameId } from './ids.js';
import { byCodePoint, sameText } from './texts.js';

export function templateQueries(db: PgDb): TemplateQueries {
  return {
    async byId(accountId, id) {
      const [row] = await db
        .select()
        .from(templates)
        .where(and(eq(templates.accountId, accountId), sameId(templates.id, id)));
      return row ?? null;
    },

    async list(accountId) {
      return db
        .select()
        .from(templates)
        .where(eq(templates.accountId, accountId))
        .orderBy(asc(byCodePoint(templates.name)), asc(byCodePoint(templates.language)));
    },

    /** Exact name and language, as the unique index is. */
    async exists(accountId, name, language, exceptId) {
      const same = and(eq(templates.accountId, accountId), sameText(templates.name, name), sameText(templates.language, language), exceptId === undefined ? undefined : ne(templates.id, exceptId));
      const [row] = await db.select({ id: templates.id }).from(templates).where(same).limit(1);
      return row !== undefined;
    },

    async update(accountId, id, changes) {
      const [row] = await db
        .update(templates)
        .set(changes)
        .where(and(eq(templates.accountId, accountId), sameId(templates.id, id)))
        .returning();
      return row ?? null;
    },

    async delete(accountId, id) {
      const deleted = await db
        .delete(templates)
        .where(and(eq(templates.accountId, accountId), sameId(templates.id, id)))
        .returning({ id: templates.id });
      return deleted.length === 1;
    },

    async insert(template) {
      const [row] = await db.insert(templates).values(template).returning();
      return row!;
    },
  };
}
