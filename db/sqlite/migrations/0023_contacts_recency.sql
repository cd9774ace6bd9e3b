DROP INDEX `contacts_account_interaction`;--> statement-breakpoint
CREATE INDEX `contacts_account_recency` ON `contacts` (`account_id`,coalesce(`last_interaction_at`, 0),`id`);
