-- What enrichment decided, kept beside each transaction so that reports
-- group by it without a join. Written only from the enrichments table
-- (a source's upsert never touches these columns); '' when undecided.
ALTER TABLE transactions ADD COLUMN eff_category TEXT NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN eff_merchant TEXT;
-- 1 essential, 0 discretionary, NULL undecided.
ALTER TABLE transactions ADD COLUMN essential BIGINT;
-- The category reports group by: enrichment's, else the bank's. Generated,
-- so no write path can leave it stale.
ALTER TABLE transactions ADD COLUMN report_category TEXT GENERATED ALWAYS AS
    (CASE WHEN eff_category <> '' THEN eff_category ELSE category END) VIRTUAL;
-- Replaces the spend index: the same shape, on the reports' category, with
-- essential-or-not (and the account last, so sums by account read it alone
-- too), so grouped sums read the index alone and in order.
DROP INDEX transactions_spend;
CREATE INDEX transactions_report ON transactions (user_id, month, report_category, essential, currency, amount_minor, account_id);

-- Tags an enrichment adds (a JSON array of strings).
ALTER TABLE enrichments ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';

-- A person's categorisation rules, applied in position order (the first
-- that matches a transaction decides it).
CREATE TABLE rules (
    user_id BIGINT NOT NULL REFERENCES users(id),
    rule_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    spec TEXT NOT NULL,
    PRIMARY KEY (user_id, rule_id)
);

-- The LLM's answers, by the text of llm-enrich's cache key (which holds what
-- changes an answer: description, direction, amount band, context, prompt
-- version, model), so that no answer is paid for twice.
CREATE TABLE llm_answers (
    user_id BIGINT NOT NULL REFERENCES users(id),
    cache_key TEXT NOT NULL,
    answer TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (user_id, cache_key)
);
