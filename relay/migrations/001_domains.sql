-- Domain settings and their audit trail. Portable SQL: runs on SQLite and PostgreSQL.
CREATE TABLE IF NOT EXISTS domains (
    domain TEXT PRIMARY KEY,
    settings TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS domain_changes (
    seq BIGINT NOT NULL,
    domain TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    before_settings TEXT,
    after_settings TEXT
);
CREATE INDEX IF NOT EXISTS domain_changes_by_domain ON domain_changes (domain, seq);
