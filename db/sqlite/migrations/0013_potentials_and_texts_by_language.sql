ALTER TABLE `users` ADD `can_view_unsectored` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `channels` ADD `locale` text;--> statement-breakpoint
ALTER TABLE `channels` ADD `auto_texts` text;