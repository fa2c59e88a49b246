-- An operator who left the shop is disabled (or removed); a disabled one cannot sign in.
ALTER TABLE operators ADD COLUMN disabled_at TEXT;
