-- Standing orders and direct debits of an account (TrueLayer's
-- /standing_orders and /direct_debits). Amounts in minor units, positive
-- for money out, in one currency per mandate.
CREATE TABLE mandates (
    user_id BIGINT NOT NULL REFERENCES users(id),
    source TEXT NOT NULL,
    account_id TEXT NOT NULL,
    mandate_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    payee TEXT NOT NULL,
    reference TEXT,
    frequency TEXT,
    status TEXT,
    next_on TEXT,
    next_minor BIGINT,
    previous_on TEXT,
    previous_minor BIGINT,
    currency TEXT,
    raw TEXT,
    fp BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (user_id, source, account_id, mandate_id)
);
