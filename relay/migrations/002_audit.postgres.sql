-- The audit trail numbered by the database, with where each change came from (PostgreSQL).
-- The old numbers were MAX + 1, read then written, which two relays could both take: rows are
-- renumbered in their old order, then an identity column numbers every new one.
ALTER TABLE domain_changes ADD COLUMN client TEXT NOT NULL DEFAULT '';
ALTER TABLE domain_changes ADD COLUMN note TEXT;
UPDATE domain_changes AS d SET seq = r.n
    FROM (SELECT ctid AS row_id, row_number() OVER (ORDER BY seq, at) AS n FROM domain_changes) AS r
    WHERE d.ctid = r.row_id;
ALTER TABLE domain_changes ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY;
ALTER TABLE domain_changes ADD PRIMARY KEY (seq);
SELECT setval(pg_get_serial_sequence('domain_changes', 'seq'),
              (SELECT COALESCE(MAX(seq), 0) + 1 FROM domain_changes), false);
