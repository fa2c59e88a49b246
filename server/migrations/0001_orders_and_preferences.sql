-- The shop this server speaks for: one profile, stored as protocol JSON.
CREATE TABLE shop (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    profile TEXT NOT NULL
);

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    -- SHA-256 of the customer's bearer token; the token itself is never stored.
    token_hash BLOB NOT NULL,
    status TEXT NOT NULL,
    items TEXT NOT NULL,
    editable INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

-- Every agreed version is kept; the highest version is the current agreement.
CREATE TABLE preference_versions (
    order_id TEXT NOT NULL REFERENCES orders (id),
    version INTEGER NOT NULL,
    preferences TEXT NOT NULL,
    digest TEXT NOT NULL,
    summary TEXT NOT NULL,
    accepted_at TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    PRIMARY KEY (order_id, version),
    UNIQUE (order_id, idempotency_key)
);
