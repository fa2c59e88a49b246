-- Orders from the shop's own servers: this order's payment methods, the contact details the
-- shop already knows, the customer's language, and a cursor for "orders changed since"
-- (the id of the order's newest event).
ALTER TABLE orders ADD COLUMN payment_methods TEXT;
ALTER TABLE orders ADD COLUMN contact TEXT;
ALTER TABLE orders ADD COLUMN locale TEXT;
ALTER TABLE orders ADD COLUMN cursor INTEGER NOT NULL DEFAULT 0;
UPDATE orders SET cursor = COALESCE((SELECT MAX(e.id) FROM events e WHERE e.order_id = orders.id), 0);
CREATE INDEX orders_by_cursor ON orders (cursor);

-- Webhook endpoints (Standard Webhooks): the one from the flags and those made through the API.
CREATE TABLE webhook_endpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    -- JSON array of event types; empty means all.
    event_types TEXT NOT NULL,
    from_config INTEGER NOT NULL DEFAULT 0,
    disabled_at TEXT,
    created_at TEXT NOT NULL
);

-- The outbox: one row per endpoint per change, written in the change's transaction.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints (id),
    order_id TEXT NOT NULL,
    msg_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    delivered_at TEXT,
    failed_at TEXT,
    last_status INTEGER,
    last_error TEXT
);
CREATE INDEX webhook_deliveries_open ON webhook_deliveries (endpoint_id, order_id, id)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;

-- Named operators, their sessions (hashed tokens) and failed sign-ins (for slowing guessers).
CREATE TABLE operators (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE operator_sessions (
    token_hash BLOB PRIMARY KEY,
    operator_id INTEGER NOT NULL REFERENCES operators (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE sign_in_failures (
    name TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX sign_in_failures_by_name ON sign_in_failures (name, at);

-- Who on the shop's side did what.
ALTER TABLE timeline ADD COLUMN actor TEXT;
