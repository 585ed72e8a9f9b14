-- What the check found when a change was stored although it failed (an override), as
-- "imap: connection_refused; smtp: …"; NULL for changes that passed (or came before checks).
ALTER TABLE domain_changes ADD COLUMN forced_past TEXT
