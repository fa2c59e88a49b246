-- Answering from the message and replying by email. The server's own keys (the one that signs
-- one-tap answer links), made once by the first instance that needs one and shared by all.
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    secret TEXT NOT NULL
);

-- The order's reply address tag (`orders+TAG@shop`): random, unguessable, made with the first
-- email; a reply to it is hers for this order.
ALTER TABLE orders ADD COLUMN reply_tag TEXT;
CREATE UNIQUE INDEX orders_reply_tag ON orders (reply_tag);
