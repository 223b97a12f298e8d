-- Monthly sums kept beside the transactions, so that summaries over years
-- read a few thousand rows instead of every transaction. Writes only mark a
-- month stale (statement triggers below, whatever the write path); the next
-- summary recomputes the stale months and deletes the marks it saw.
CREATE TABLE spend_rollup (
    user_id BIGINT NOT NULL REFERENCES users(id),
    month TEXT NOT NULL,
    report_category TEXT NOT NULL,
    essential BIGINT,
    currency TEXT NOT NULL,
    account_id TEXT NOT NULL,
    report_merchant TEXT NOT NULL,
    -- -1 money out, 0 zero, 1 money in.
    sign BIGINT NOT NULL,
    total BIGINT NOT NULL,
    n BIGINT NOT NULL
);
CREATE INDEX spend_rollup_month ON spend_rollup (user_id, month);

-- One mark per writing statement and month, never updated: a mark made by a
-- transaction still running is invisible to the summary that clears marks,
-- so it survives to the next one (no lost update, and writers never wait
-- on each other's marks).
CREATE TABLE spend_rollup_stale (
    user_id BIGINT NOT NULL,
    month TEXT NOT NULL
);
CREATE INDEX spend_rollup_stale_user ON spend_rollup_stale (user_id);
INSERT INTO spend_rollup_stale (user_id, month) SELECT DISTINCT user_id, month FROM transactions;

CREATE FUNCTION spend_rollup_mark_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO spend_rollup_stale (user_id, month) SELECT DISTINCT user_id, month FROM new_rows;
    RETURN NULL;
END $$;
CREATE FUNCTION spend_rollup_mark_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO spend_rollup_stale (user_id, month) SELECT DISTINCT user_id, month FROM old_rows;
    RETURN NULL;
END $$;
CREATE FUNCTION spend_rollup_mark_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO spend_rollup_stale (user_id, month)
    SELECT user_id, month FROM new_rows UNION SELECT user_id, month FROM old_rows;
    RETURN NULL;
END $$;
CREATE TRIGGER transactions_rollup_insert AFTER INSERT ON transactions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION spend_rollup_mark_new();
CREATE TRIGGER transactions_rollup_delete AFTER DELETE ON transactions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION spend_rollup_mark_old();
CREATE TRIGGER transactions_rollup_update AFTER UPDATE ON transactions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION spend_rollup_mark_changed();
