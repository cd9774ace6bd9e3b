import { defineConfig } from 'drizzle-kit';

// The PostgreSQL engine's migrations: npx drizzle-kit generate --config drizzle.postgres.config.ts
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/postgres/tables/index.ts',
  out: './db/postgres/migrations',
});
