-- Custom migration (drizzle-kit generate --custom): triggers and FTS5 tables drizzle-kit cannot express.

-- ticket_counts and ticket_totals follow every insert, move and delete of a ticket inside the same transaction.
CREATE TRIGGER `tickets_count_insert` AFTER INSERT ON `tickets` BEGIN
  INSERT INTO `ticket_counts` (`account_id`, `status`, `sector_id`, `assignee_id`, `n`)
  VALUES (NEW.`account_id`, NEW.`status`, coalesce(NEW.`sector_id`, 0), coalesce(NEW.`assignee_id`, 0), 1)
  ON CONFLICT (`account_id`, `status`, `sector_id`, `assignee_id`) DO UPDATE SET `n` = `n` + 1;
  INSERT INTO `ticket_totals` (`account_id`, `status`, `n`) VALUES (NEW.`account_id`, NEW.`status`, 1)
  ON CONFLICT (`account_id`, `status`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `tickets_count_update` AFTER UPDATE OF `status`, `sector_id`, `assignee_id` ON `tickets`
WHEN OLD.`status` IS NOT NEW.`status` OR OLD.`sector_id` IS NOT NEW.`sector_id` OR OLD.`assignee_id` IS NOT NEW.`assignee_id`
BEGIN
  UPDATE `ticket_counts` SET `n` = `n` - 1
  WHERE `account_id` = OLD.`account_id` AND `status` = OLD.`status`
    AND `sector_id` = coalesce(OLD.`sector_id`, 0) AND `assignee_id` = coalesce(OLD.`assignee_id`, 0);
  INSERT INTO `ticket_counts` (`account_id`, `status`, `sector_id`, `assignee_id`, `n`)
  VALUES (NEW.`account_id`, NEW.`status`, coalesce(NEW.`sector_id`, 0), coalesce(NEW.`assignee_id`, 0), 1)
  ON CONFLICT (`account_id`, `status`, `sector_id`, `assignee_id`) DO UPDATE SET `n` = `n` + 1;
  UPDATE `ticket_totals` SET `n` = `n` - 1 WHERE `account_id` = OLD.`account_id` AND `status` = OLD.`status`;
  INSERT INTO `ticket_totals` (`account_id`, `status`, `n`) VALUES (NEW.`account_id`, NEW.`status`, 1)
  ON CONFLICT (`account_id`, `status`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `tickets_count_delete` AFTER DELETE ON `tickets` BEGIN
  UPDATE `ticket_counts` SET `n` = `n` - 1
  WHERE `account_id` = OLD.`account_id` AND `status` = OLD.`status`
    AND `sector_id` = coalesce(OLD.`sector_id`, 0) AND `assignee_id` = coalesce(OLD.`assignee_id`, 0);
  UPDATE `ticket_totals` SET `n` = `n` - 1 WHERE `account_id` = OLD.`account_id` AND `status` = OLD.`status`;
END;
--> statement-breakpoint
-- Substring search (3+ characters) over contact names and phones and message text.
CREATE VIRTUAL TABLE `contacts_search` USING fts5(`name`, `phone`, content='contacts', content_rowid='id', tokenize='trigram');
--> statement-breakpoint
CREATE TRIGGER `contacts_search_insert` AFTER INSERT ON `contacts` BEGIN
  INSERT INTO `contacts_search` (rowid, `name`, `phone`) VALUES (NEW.`id`, NEW.`name`, NEW.`phone`);
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_search_update` AFTER UPDATE OF `name`, `phone` ON `contacts` BEGIN
  INSERT INTO `contacts_search` (`contacts_search`, rowid, `name`, `phone`) VALUES ('delete', OLD.`id`, OLD.`name`, OLD.`phone`);
  INSERT INTO `contacts_search` (rowid, `name`, `phone`) VALUES (NEW.`id`, NEW.`name`, NEW.`phone`);
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_search_delete` AFTER DELETE ON `contacts` BEGIN
  INSERT INTO `contacts_search` (`contacts_search`, rowid, `name`, `phone`) VALUES ('delete', OLD.`id`, OLD.`name`, OLD.`phone`);
END;
--> statement-breakpoint
CREATE VIRTUAL TABLE `messages_search` USING fts5(`body`, content='messages', content_rowid='id', tokenize='trigram');
--> statement-breakpoint
CREATE TRIGGER `messages_search_insert` AFTER INSERT ON `messages` WHEN NEW.`body` IS NOT NULL BEGIN
  INSERT INTO `messages_search` (rowid, `body`) VALUES (NEW.`id`, NEW.`body`);
END;
--> statement-breakpoint
CREATE TRIGGER `messages_search_delete` AFTER DELETE ON `messages` WHEN OLD.`body` IS NOT NULL BEGIN
  INSERT INTO `messages_search` (`messages_search`, rowid, `body`) VALUES ('delete', OLD.`id`, OLD.`body`);
END;
