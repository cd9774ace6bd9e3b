-- A transaction's events appended to the outbox under the outbox's order lock, in one call: the
-- store sends it and COMMIT together, so the lock, held until commit, spans no round trip.
-- PL/pgSQL gives the insert a snapshot taken after the lock is granted (a volatile function's
-- statements each take their own), so it sees every commit made before it and reads each
-- account's previous event right. `events` is a JSON array of [account_id, type, payload, occurred_at].
CREATE FUNCTION outbox_append(events json) RETURNS json
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  appended json;
BEGIN
  PERFORM pg_advisory_xact_lock(1869968482);
  WITH event AS (
    SELECT n::int AS n, (e->>0)::int AS account_id, e->>1 AS type, e->2 AS payload, (e->>3)::timestamptz AS occurred_at
    FROM json_array_elements(events) WITH ORDINALITY AS listed(e, n)
  ),
  drawn AS MATERIALIZED (
    SELECT nextval(pg_get_serial_sequence('outbox', 'id'))::int AS id, n FROM generate_series(1, json_array_length(events)) AS n
  ),
  previous AS MATERIALIZED (
    SELECT wanted.account_id, coalesce((SELECT max(id) FROM outbox WHERE outbox.account_id = wanted.account_id), 0) AS id
    FROM (SELECT DISTINCT account_id FROM event) AS wanted
  ),
  recorded AS (
    INSERT INTO outbox (id, account_id, type, payload, occurred_at, commit_id)
    SELECT drawn.id, event.account_id, event.type, event.payload, event.occurred_at, CASE WHEN drawn.n = 1 THEN NULL ELSE (SELECT min(id) FROM drawn) END
    FROM drawn JOIN event ON event.n = drawn.n
    RETURNING id
  )
  SELECT json_build_object(
    'ids', (SELECT json_agg(id ORDER BY id) FROM recorded),
    'previous', (SELECT json_agg(json_build_array(account_id, id)) FROM previous)
  ) INTO appended;
  RETURN appended;
END
$$;
