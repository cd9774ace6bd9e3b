CREATE TABLE `agent_responses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`ticket_id` integer NOT NULL,
	`sector_id` integer,
	`channel_id` integer NOT NULL,
	`agent_id` integer NOT NULL,
	`responded_at` integer NOT NULL,
	`delay_ms` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `agent_responses_account_time` ON `agent_responses` (`account_id`,`responded_at`);--> statement-breakpoint
CREATE TABLE `ticket_ratings` (
	`ticket_id` integer PRIMARY KEY NOT NULL,
	`account_id` integer NOT NULL,
	`agent_id` integer,
	`sector_id` integer,
	`channel_id` integer NOT NULL,
	`rating` integer NOT NULL,
	`comment` text,
	`rated_at` integer NOT NULL,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ticket_ratings_account_time` ON `ticket_ratings` (`account_id`,`rated_at`);--> statement-breakpoint
CREATE INDEX `ticket_ratings_agent_time` ON `ticket_ratings` (`agent_id`,`rated_at`);--> statement-breakpoint
ALTER TABLE `users` ADD `can_monitor` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `tickets` ADD `pending_inbound_since` integer;--> statement-breakpoint
CREATE INDEX `tickets_account_created` ON `tickets` (`account_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `tickets_account_first_response` ON `tickets` (`account_id`,`first_response_at`);--> statement-breakpoint
CREATE INDEX `tickets_account_closed` ON `tickets` (`account_id`,`closed_at`);--> statement-breakpoint
CREATE INDEX `tickets_account_queue` ON `tickets` (`account_id`,`status`,`queued_at`);