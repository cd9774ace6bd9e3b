ALTER TABLE `accounts` ADD `locale` text DEFAULT 'en' NOT NULL;--> statement-breakpoint
ALTER TABLE `channels` ADD `locale` text;--> statement-breakpoint
ALTER TABLE `channels` ADD `auto_texts` text;