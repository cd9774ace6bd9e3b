CREATE TABLE `absence_settings` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`account_id` integer NOT NULL,
	`enabled` integer NOT NULL,
	`message` text,
	`starts_at` integer,
	`ends_at` integer,
	`suggested_user_id` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`suggested_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `after_hours_contacts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`channel_id` integer NOT NULL,
	`contact_id` integer NOT NULL,
	`ticket_id` integer NOT NULL,
	`wrote_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `after_hours_account_time` ON `after_hours_contacts` (`account_id`,`wrote_at`);--> statement-breakpoint
CREATE INDEX `after_hours_ticket` ON `after_hours_contacts` (`ticket_id`);--> statement-breakpoint
CREATE TABLE `ticket_auto_replies` (
	`ticket_id` integer NOT NULL,
	`kind` text NOT NULL,
	`ref` integer NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`ticket_id`, `kind`, `ref`),
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `templates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`name` text NOT NULL,
	`language` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `templates_account_name_language` ON `templates` (`account_id`,`name`,`language`);--> statement-breakpoint
ALTER TABLE `sectors` ADD `last_assigned_user_id` integer;--> statement-breakpoint
ALTER TABLE `channels` ADD `business_hours` text;--> statement-breakpoint
ALTER TABLE `channels` ADD `out_of_hours_reply` text;--> statement-breakpoint
ALTER TABLE `channels` ADD `offer_callback` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `channels` ADD `menu` text;