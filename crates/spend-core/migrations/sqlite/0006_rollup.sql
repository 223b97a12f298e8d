-- Monthly sums kept beside the transactions, so that summaries over years
-- read a few thousand rows instead of every transaction. Writes only mark a
-- month stale (the triggers below, whatever the write path); the next
-- summary recomputes the stale months from the report index and clears
-- their marks in one transaction.
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

CREATE TABLE spend_rollup_stale (
    user_id BIGINT NOT NULL,
    month TEXT NOT NULL,
    PRIMARY KEY (user_id, month)
);
INSERT INTO spend_rollup_stale (user_id, month) SELECT DISTINCT user_id, month FROM transactions;

-- NOT EXISTS rather than OR IGNORE: inside a trigger SQLite applies the outer
-- statement's conflict handling (an upsert's), not the trigger's own.
CREATE TRIGGER transactions_rollup_insert AFTER INSERT ON transactions BEGIN
    INSERT INTO spend_rollup_stale (user_id, month) SELECT NEW.user_id, NEW.month
        WHERE NOT EXISTS (SELECT 1 FROM spend_rollup_stale WHERE user_id = NEW.user_id AND month = NEW.month);
END;
CREATE TRIGGER transactions_rollup_delete AFTER DELETE ON transactions BEGIN
    INSERT INTO spend_rollup_stale (user_id, month) SELECT OLD.user_id, OLD.month
        WHERE NOT EXISTS (SELECT 1 FROM spend_rollup_stale WHERE user_id = OLD.user_id AND month = OLD.month);
END;
CREATE TRIGGER transactions_rollup_update
AFTER UPDATE OF month, report_category, essential, currency, amount_minor, account_id, report_merchant ON transactions
WHEN OLD.month IS NOT NEW.month OR OLD.report_category IS NOT NEW.report_category
    OR OLD.essential IS NOT NEW.essential OR OLD.currency IS NOT NEW.currency
    OR OLD.amount_minor IS NOT NEW.amount_minor OR OLD.account_id IS NOT NEW.account_id
    OR OLD.report_merchant IS NOT NEW.report_merchant
BEGIN
    INSERT INTO spend_rollup_stale (user_id, month) SELECT OLD.user_id, OLD.month
        WHERE NOT EXISTS (SELECT 1 FROM spend_rollup_stale WHERE user_id = OLD.user_id AND month = OLD.month);
    INSERT INTO spend_rollup_stale (user_id, month) SELECT NEW.user_id, NEW.month
        WHERE NOT EXISTS (SELECT 1 FROM spend_rollup_stale WHERE user_id = NEW.user_id AND month = NEW.month);
END;
