-- Daily allowances a provider grants (TrueLayer: 4 unattended calls a day),
-- counted here so that every process of a deployment shares one count.
CREATE TABLE allowances (
    user_id BIGINT NOT NULL REFERENCES users(id),
    key TEXT NOT NULL,
    day TEXT NOT NULL,
    used BIGINT NOT NULL,
    PRIMARY KEY (user_id, key, day)
);
