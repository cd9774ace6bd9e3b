-- Custom migration (drizzle-kit generate --custom): plugin records kept before accounts could be created by the
-- platform belong to the first account, the only one that existed; drizzle-kit cannot express that fill.
UPDATE plugin_records SET account_id = (SELECT min(id) FROM accounts) WHERE account_id IS NULL;
--> statement-breakpoint
DELETE FROM plugin_records WHERE account_id IS NULL;
