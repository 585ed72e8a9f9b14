-- The audit trail numbered by the database, with where each change came from (SQLite).
-- The old numbers were MAX + 1, read then written: rows are renumbered in their old order.
-- AUTOINCREMENT never hands out a number twice, even one whose row was deleted, so a missing
-- number shows a missing row.
CREATE TABLE domain_changes_v2 (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    domain TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    client TEXT NOT NULL DEFAULT '',
    note TEXT,
    action TEXT NOT NULL,
    before_settings TEXT,
    after_settings TEXT
);
INSERT INTO domain_changes_v2 (domain, at, actor, action, before_settings, after_settings)
    SELECT domain, at, actor, action, before_settings, after_settings
    FROM domain_changes ORDER BY seq, rowid;
DROP TABLE domain_changes;
ALTER TABLE domain_changes_v2 RENAME TO domain_changes;
CREATE INDEX IF NOT EXISTS domain_changes_by_domain ON domain_changes (domain, seq);
