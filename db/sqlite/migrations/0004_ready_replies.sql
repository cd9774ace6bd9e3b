CREATE TABLE `ready_replies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`category_id` integer NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`position` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`category_id`) REFERENCES `ready_reply_categories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `ready_replies_category` ON `ready_replies` (`category_id`,`position`);--> statement-breakpoint
CREATE TABLE `ready_reply_categories` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`name` text NOT NULL,
	`position` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ready_reply_categories_account_name` ON `ready_reply_categories` (`account_id`,lower("name"));--> statement-breakpoint
CREATE TABLE `ready_reply_sectors` (
	`reply_id` integer NOT NULL,
	`sector_id` integer NOT NULL,
	PRIMARY KEY(`reply_id`, `sector_id`),
	FOREIGN KEY (`reply_id`) REFERENCES `ready_replies`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`sector_id`) REFERENCES `sectors`(`id`) ON UPDATE no action ON DELETE cascade
);
