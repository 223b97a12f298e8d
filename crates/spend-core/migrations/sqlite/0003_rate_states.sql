-- Rate-limit bucket state, shared by every process of a deployment: when
-- each provider bucket (operation, key) is full again, in ms since the epoch.
CREATE TABLE rate_states (
    scope TEXT NOT NULL,
    operation TEXT NOT NULL,
    key TEXT NOT NULL,
    full_at_ms BIGINT NOT NULL,
    PRIMARY KEY (scope, operation, key)
);
