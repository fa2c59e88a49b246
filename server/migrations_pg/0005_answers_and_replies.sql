-- Answering from the message and replying by email (SQLite's 0010).
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    secret TEXT NOT NULL
);

ALTER TABLE orders ADD COLUMN reply_tag TEXT;
CREATE UNIQUE INDEX orders_reply_tag ON orders (reply_tag);
