ALTER TABLE orders ADD COLUMN delivery_slot TEXT;

CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES orders (id),
    client_id TEXT,
    author TEXT NOT NULL,
    author_name TEXT,
    text TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    UNIQUE (order_id, client_id)
);
CREATE INDEX messages_by_order ON messages (order_id, id);

-- Every live update, so a reconnecting client resumes from its Last-Event-ID.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES orders (id),
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX events_by_order ON events (order_id, id);

CREATE TABLE timeline (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES orders (id),
    at TEXT NOT NULL,
    event TEXT NOT NULL
);
CREATE INDEX timeline_by_order ON timeline (order_id, id);

CREATE TABLE callbacks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES orders (id),
    window_start TEXT NOT NULL,
    window_end TEXT NOT NULL,
    done_at TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES orders (id),
    receipt_version INTEGER NOT NULL,
    promise TEXT NOT NULL,
    note TEXT,
    reported_at TEXT NOT NULL
);

CREATE TABLE change_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES orders (id),
    change TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    answered_at TEXT
);

CREATE TABLE surveys (
    order_id TEXT PRIMARY KEY REFERENCES orders (id),
    rating INTEGER NOT NULL,
    comment TEXT,
    answered_at TEXT NOT NULL
);

-- Ask-first questions waiting for the customer; the fallback applies at the deadline.
CREATE TABLE ask_first (
    order_id TEXT NOT NULL REFERENCES orders (id),
    item TEXT NOT NULL,
    deadline TEXT NOT NULL,
    fallback TEXT NOT NULL,
    resolved INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, item)
);

-- The first response to each Idempotency-Key, replayed for the same request.
CREATE TABLE idempotency (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE TABLE operator_presence (
    operator TEXT PRIMARY KEY,
    last_seen TEXT NOT NULL
);
