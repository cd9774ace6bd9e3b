PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_plugin_records` (
	`account_id` integer NOT NULL,
	`plugin` text NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `plugin`, `kind`, `key`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_plugin_records`("account_id", "plugin", "kind", "key", "value", "updated_at") SELECT "account_id", "plugin", "kind", "key", "value", "updated_at" FROM `plugin_records`;--> statement-breakpoint
DROP TABLE `plugin_records`;--> statement-breakpoint
ALTER TABLE `__new_plugin_records` RENAME TO `plugin_records`;--> statement-breakpoint
PRAGMA foreign_keys=ON;