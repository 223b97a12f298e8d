-- What enrichment decided, kept beside each transaction so that reports
-- group by it without a join. Written only from the enrichments table
-- (a source's upsert never touches these columns); '' when undecided.
ALTER TABLE transactions ADD COLUMN eff_category TEXT NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN eff_merchant TEXT;
-- 1 essential, 0 discretionary, NULL undecided.
ALTER TABLE transactions ADD COLUMN essential BIGINT;
-- The category reports group by: enrichment's, else the bank's. A plain
-- column (not a generated one), so that an index holding it answers grouped
-- sums alone: a source's upsert writes the bank's category unless enrichment
-- decided one, and writing enrichments sets it.
ALTER TABLE transactions ADD COLUMN report_category TEXT NOT NULL DEFAULT '';
-- The merchant reports group by: enrichment's, else the bank's, else the
-- description; kept the same way.
ALTER TABLE transactions ADD COLUMN report_merchant TEXT NOT NULL DEFAULT '';
UPDATE transactions SET report_category = category, report_merchant = COALESCE(merchant, description);
-- Replaces the spend index: the same shape, on the reports' category, with
-- essential-or-not (and the account and merchant last, so sums by them
-- read it alone too), so grouped sums read the index alone and in order.
DROP INDEX transactions_spend;
CREATE INDEX transactions_report ON transactions (user_id, month, report_category, essential, currency, amount_minor, account_id, report_merchant);

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
