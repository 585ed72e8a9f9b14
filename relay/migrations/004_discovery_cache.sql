-- Recent discoveries, shared by every relay on this database (discover/cache.rs): a domain's
-- servers are probed once per cache time, whichever relay is asked. `key` is a SHA-256 hex of
-- the domain, the mode, the stored settings and the relay's version. `address`, for findings
-- that hold for one address only, a SHA-256 hex of it. `expires_ms` is in the database's clock
-- (milliseconds since the epoch).
CREATE TABLE IF NOT EXISTS discovery_cache (
    key TEXT PRIMARY KEY,
    address TEXT,
    findings TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);
-- Rows whose time is up are dropped by time (DomainStore::keep_discovery).
CREATE INDEX IF NOT EXISTS discovery_cache_expires ON discovery_cache (expires_ms);
