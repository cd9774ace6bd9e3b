-- Custom migration (drizzle-kit generate --custom): trigger functions and trigram indexes drizzle-kit cannot express.

-- Substring search over contact names and phones and message text, with today's rules (db/postgres/queries/search-terms.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
-- Each transaction adds its deltas to one of 16 slots (its transaction id's), so concurrent writers of one
-- account do not queue on one hot row; readers sum the slots.
CREATE FUNCTION ticket_count_slot() RETURNS smallint LANGUAGE sql AS $$
  SELECT (pg_current_xact_id()::text::bigint % 16)::smallint
$$;
--> statement-breakpoint
-- Adds `delta` tickets to one (account, status, sector, assignee) on the writer's slot; 0 stands for "none".
CREATE FUNCTION ticket_counts_add(account integer, ticket_status text, sector integer, assignee integer, delta integer) RETURNS void LANGUAGE sql AS $$
  INSERT INTO ticket_counts (account_id, status, sector_id, assignee_id, slot, n)
  VALUES (account, ticket_status, coalesce(sector, 0), coalesce(assignee, 0), ticket_count_slot(), delta)
  ON CONFLICT (account_id, status, sector_id, assignee_id, slot) DO UPDATE SET n = ticket_counts.n + EXCLUDED.n
$$;
--> statement-breakpoint
-- Adds `delta` tickets to one (account, status) on the writer's slot.
CREATE FUNCTION ticket_totals_add(account integer, ticket_status text, delta integer) RETURNS void LANGUAGE sql AS $$
  INSERT INTO ticket_totals (account_id, status, slot, n)
  VALUES (account, ticket_status, ticket_count_slot(), delta)
  ON CONFLICT (account_id, status, slot) DO UPDATE SET n = ticket_totals.n + EXCLUDED.n
$$;
--> statement-breakpoint
-- ticket_counts and ticket_totals follow every insert, move and delete of a ticket inside the same transaction.
CREATE FUNCTION tickets_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ticket_counts_add(NEW.account_id, NEW.status, NEW.sector_id, NEW.assignee_id, 1);
  PERFORM ticket_totals_add(NEW.account_id, NEW.status, 1);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- A transfer or assignment keeps the status: the totals are left alone then.
CREATE FUNCTION tickets_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ticket_counts_add(OLD.account_id, OLD.status, OLD.sector_id, OLD.assignee_id, -1);
  PERFORM ticket_counts_add(NEW.account_id, NEW.status, NEW.sector_id, NEW.assignee_id, 1);
  IF OLD.status IS DISTINCT FROM NEW.status OR OLD.account_id IS DISTINCT FROM NEW.account_id THEN
    PERFORM ticket_totals_add(OLD.account_id, OLD.status, -1);
    PERFORM ticket_totals_add(NEW.account_id, NEW.status, 1);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION tickets_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ticket_counts_add(OLD.account_id, OLD.status, OLD.sector_id, OLD.assignee_id, -1);
  PERFORM ticket_totals_add(OLD.account_id, OLD.status, -1);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER tickets_count_insert AFTER INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION tickets_count_insert();
--> statement-breakpoint
CREATE TRIGGER tickets_count_update AFTER UPDATE OF status, sector_id, assignee_id ON tickets FOR EACH ROW
WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.sector_id IS DISTINCT FROM NEW.sector_id OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id)
EXECUTE FUNCTION tickets_count_update();
--> statement-breakpoint
CREATE TRIGGER tickets_count_delete AFTER DELETE ON tickets FOR EACH ROW EXECUTE FUNCTION tickets_count_delete();
--> statement-breakpoint
-- The searched expressions exactly as search-terms.ts writes them: ICU's root-locale lower() folds case as
-- JavaScript's toLowerCase() does (İ, final sigma), whatever locale the cluster was created with.
CREATE INDEX contacts_name_trgm ON contacts USING gin (lower(name COLLATE "und-x-icu") gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX contacts_phone_trgm ON contacts USING gin (lower(phone COLLATE "und-x-icu") gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX messages_body_trgm ON messages USING gin (lower(body COLLATE "und-x-icu") gin_trgm_ops);
