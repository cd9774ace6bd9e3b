CREATE TABLE `attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` integer NOT NULL,
	`ticket_id` integer NOT NULL,
	`message_id` integer NOT NULL,
	`storage_key` text NOT NULL,
	`mime` text NOT NULL,
	`name` text,
	`size` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `attachments_message` ON `attachments` (`message_id`);