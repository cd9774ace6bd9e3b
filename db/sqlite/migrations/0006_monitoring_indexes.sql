DROP INDEX `tickets_account_queue`;--> statement-breakpoint
CREATE INDEX `tickets_account_status_progress` ON `tickets` (`account_id`,`status`,`queued_at`,`first_response_at`);--> statement-breakpoint
CREATE INDEX `ticket_history_time` ON `ticket_history` (`created_at`,`kind`);