CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE accounts (
    user_id BIGINT NOT NULL REFERENCES users(id),
    source TEXT NOT NULL,
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    currency TEXT NOT NULL,
    name TEXT,
    provider TEXT,
    number_hint TEXT,
    balance_minor BIGINT,
    raw TEXT,
    fp BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (user_id, source, account_id)
);

CREATE TABLE transactions (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    source TEXT NOT NULL,
    account_id TEXT NOT NULL,
    tx_id TEXT NOT NULL,
    status TEXT NOT NULL,
    date TEXT NOT NULL,
    month TEXT NOT NULL,
    ts_ms BIGINT,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    description TEXT NOT NULL,
    merchant TEXT,
    -- '' when there is none, so that grouping by it follows the spend index.
    category TEXT NOT NULL,
    provider_id TEXT,
    balance_minor BIGINT,
    raw TEXT,
    fp BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (user_id, source, account_id, tx_id)
);
CREATE INDEX transactions_by_date ON transactions (user_id, date DESC, id DESC);
CREATE INDEX transactions_spend ON transactions (user_id, month, category, currency, amount_minor);

CREATE TABLE orders (
    user_id BIGINT NOT NULL REFERENCES users(id),
    source TEXT NOT NULL,
    order_id TEXT NOT NULL,
    ordered_on TEXT NOT NULL,
    ordered_ms BIGINT,
    merchant TEXT NOT NULL,
    status TEXT,
    total_minor BIGINT,
    currency TEXT,
    items TEXT NOT NULL,
    shipments TEXT NOT NULL,
    charges TEXT NOT NULL,
    raw TEXT,
    fp BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (user_id, source, order_id)
);
CREATE INDEX orders_by_date ON orders (user_id, ordered_on DESC);

CREATE TABLE apple_purchases (
    user_id BIGINT NOT NULL REFERENCES users(id),
    order_id TEXT NOT NULL,
    purchased_on TEXT NOT NULL,
    total_minor BIGINT,
    currency TEXT,
    items TEXT NOT NULL,
    raw TEXT,
    fp BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (user_id, order_id)
);

CREATE TABLE emails (
    user_id BIGINT NOT NULL REFERENCES users(id),
    mailbox TEXT NOT NULL,
    message_id TEXT NOT NULL,
    source_id TEXT NOT NULL,
    from_addr TEXT,
    subject TEXT,
    date_ms BIGINT,
    raw_key TEXT NOT NULL,
    raw_size BIGINT NOT NULL,
    raw_sha256 TEXT NOT NULL,
    labels TEXT NOT NULL,
    fp BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (user_id, mailbox, message_id)
);

CREATE TABLE receipts (
    user_id BIGINT NOT NULL REFERENCES users(id),
    mailbox TEXT NOT NULL,
    message_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    vendor TEXT,
    merchant TEXT,
    date TEXT,
    total_minor BIGINT,
    currency TEXT,
    order_ids TEXT NOT NULL,
    parsed TEXT NOT NULL,
    fp BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (user_id, mailbox, message_id)
);
CREATE INDEX receipts_by_date ON receipts (user_id, date DESC);

CREATE TABLE documents (
    user_id BIGINT NOT NULL REFERENCES users(id),
    mailbox TEXT NOT NULL,
    message_id TEXT NOT NULL,
    part BIGINT NOT NULL,
    filename TEXT,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    name TEXT NOT NULL,
    fp BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (user_id, mailbox, message_id, part)
);

CREATE TABLE matches (
    user_id BIGINT NOT NULL REFERENCES users(id),
    tx_source TEXT NOT NULL,
    tx_account TEXT NOT NULL,
    tx_id TEXT NOT NULL,
    target_key TEXT NOT NULL,
    target TEXT NOT NULL,
    state TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    explanation TEXT NOT NULL,
    fp BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (user_id, tx_source, tx_account, tx_id, target_key)
);

CREATE TABLE enrichments (
    user_id BIGINT NOT NULL REFERENCES users(id),
    tx_source TEXT NOT NULL,
    tx_account TEXT NOT NULL,
    tx_id TEXT NOT NULL,
    category TEXT,
    merchant TEXT,
    essential BIGINT,
    source TEXT NOT NULL,
    confidence DOUBLE PRECISION NOT NULL,
    fp BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (user_id, tx_source, tx_account, tx_id)
);

CREATE TABLE connections (
    user_id BIGINT NOT NULL REFERENCES users(id),
    provider TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    settings TEXT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (user_id, provider, name)
);

CREATE TABLE secrets (
    user_id BIGINT NOT NULL,
    provider TEXT NOT NULL,
    name TEXT NOT NULL,
    key TEXT NOT NULL,
    ciphertext TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (user_id, provider, name, key),
    FOREIGN KEY (user_id, provider, name) REFERENCES connections (user_id, provider, name)
);

CREATE TABLE checkpoints (
    user_id BIGINT NOT NULL REFERENCES users(id),
    source TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (user_id, source)
);

CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    source TEXT NOT NULL,
    started_ms BIGINT NOT NULL,
    finished_ms BIGINT,
    status TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX sync_runs_by_user ON sync_runs (user_id, id DESC);
