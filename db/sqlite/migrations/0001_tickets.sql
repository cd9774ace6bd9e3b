CREATE TABLE `contact_tags` (
	`contact_id` integer NOT NULL,
	`tag` text NOT NULL,
	PRIMARY KEY(`contact_id`, `tag`),
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`name` text,
	`phone` text,
	`email` text,
	`city` text,
	`document` text,
	`external_id` text,
	`notes` text,
	`last_interaction_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_account_phone` ON `contacts` (`account_id`,`phone`);--> statement-breakpoint
CREATE INDEX `contacts_account_interaction` ON `contacts` (`account_id`,`last_interaction_at`);--> statement-breakpoint
CREATE TABLE `ticket_counts` (
	`account_id` integer NOT NULL,
	`status` text NOT NULL,
	`sector_id` integer NOT NULL,
	`assignee_id` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`account_id`, `status`, `sector_id`, `assignee_id`)
);
--> statement-breakpoint
CREATE INDEX `ticket_counts_assignee` ON `ticket_counts` (`assignee_id`,`status`,`sector_id`);--> statement-breakpoint
CREATE TABLE `ticket_tags` (
	`ticket_id` integer NOT NULL,
	`tag` text NOT NULL,
	PRIMARY KEY(`ticket_id`, `tag`),
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `ticket_totals` (
	`account_id` integer NOT NULL,
	`status` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`account_id`, `status`)
);
--> statement-breakpoint
CREATE TABLE `tickets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`protocol` integer NOT NULL,
	`contact_id` integer NOT NULL,
	`channel_id` integer NOT NULL,
	`sector_id` integer,
	`assignee_id` integer,
	`status` text NOT NULL,
	`last_message_id` integer,
	`out_of_hours` integer DEFAULT false NOT NULL,
	`callback_requested` integer,
	`closed_by` text,
	`closed_by_id` integer,
	`created_at` integer NOT NULL,
	`queued_at` integer,
	`accepted_at` integer,
	`first_response_at` integer,
	`closed_at` integer,
	`last_activity_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sector_id`) REFERENCES `sectors`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`assignee_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`closed_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tickets_account_protocol` ON `tickets` (`account_id`,`protocol`);--> statement-breakpoint
CREATE INDEX `tickets_tab_sector` ON `tickets` (`status`,`sector_id`,"last_activity_at" DESC,"id" DESC);--> statement-breakpoint
CREATE INDEX `tickets_tab_assignee` ON `tickets` (`status`,`assignee_id`,"last_activity_at" DESC,"id" DESC,`sector_id`);--> statement-breakpoint
CREATE INDEX `tickets_tab_account` ON `tickets` (`account_id`,`status`,"last_activity_at" DESC,"id" DESC);--> statement-breakpoint
CREATE INDEX `tickets_queue` ON `tickets` (`status`,`sector_id`,`queued_at`,`id`);--> statement-breakpoint
CREATE INDEX `tickets_contact` ON `tickets` (`contact_id`,"last_activity_at" DESC,"id" DESC);--> statement-breakpoint
CREATE INDEX `tickets_contact_channel` ON `tickets` (`contact_id`,`channel_id`,`status`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`ticket_id` integer NOT NULL,
	`direction` text NOT NULL,
	`author` text NOT NULL,
	`author_user_id` integer,
	`kind` text NOT NULL,
	`body` text,
	`attachments` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `messages_ticket` ON `messages` (`ticket_id`,`id`);--> statement-breakpoint
CREATE TABLE `ticket_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ticket_id` integer NOT NULL,
	`kind` text NOT NULL,
	`actor_kind` text NOT NULL,
	`actor_id` integer,
	`data` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ticket_history_ticket` ON `ticket_history` (`ticket_id`,`id`);--> statement-breakpoint
ALTER TABLE `accounts` ADD `ticket_sequence` integer DEFAULT 0 NOT NULL;