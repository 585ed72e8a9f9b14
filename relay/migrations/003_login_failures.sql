-- Refused logins per account and per server, counted by every relay on this database
-- (server/targets.rs): GCRA, `tat_ms` being when the key's count is back at zero, in the
-- database's clock (milliseconds since the epoch). Keys are SHA-256 hex of the account or
-- server: the table names no one.
CREATE TABLE IF NOT EXISTS login_failures (
    key TEXT PRIMARY KEY,
    tat_ms BIGINT NOT NULL
);
-- Counts back at zero are dropped by time (DomainStore::count_failure).
CREATE INDEX IF NOT EXISTS login_failures_tat ON login_failures (tat_ms);
