-- The PostgreSQL schema: the same tables as the SQLite migrations 0001-0006 reach, in this
-- engine's own types (timestamptz, jsonb, bytea, boolean, bigint). Append-only, like SQLite's.

-- The shop this server speaks for: one profile, stored as protocol JSON.
CREATE TABLE shop (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    profile JSONB NOT NULL
);

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    -- SHA-256 of the customer's bearer token; the token itself is never stored.
    token_hash BYTEA NOT NULL,
    status TEXT NOT NULL,
    items JSONB NOT NULL,
    editable BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    delivery_slot JSONB,
    -- Since when a customer has been waiting for the shop's reply (NULL: nobody waits).
    waiting_since TIMESTAMPTZ,
    payment_methods JSONB,
    contact JSONB,
    locale TEXT,
    -- Where the order stands in "orders changed since": a value of the commit clock below.
    cursor BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX orders_by_cursor ON orders (cursor);

-- "Orders changed since" needs cursors that grow in commit order. Every writing transaction
-- takes the next value from this one row just before it commits, holding its lock until then.
CREATE TABLE commit_clock (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO commit_clock (id, n) VALUES (1, 0);

-- Every agreed version is kept; the highest version is the current agreement.
CREATE TABLE preference_versions (
    order_id TEXT NOT NULL REFERENCES orders (id),
    version BIGINT NOT NULL,
    preferences JSONB NOT NULL,
    digest TEXT NOT NULL,
    summary JSONB NOT NULL,
    accepted_at TIMESTAMPTZ NOT NULL,
    origin TEXT NOT NULL DEFAULT 'customer',
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    PRIMARY KEY (order_id, version),
    UNIQUE (order_id, origin, idempotency_key)
);

CREATE TABLE messages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    client_id TEXT,
    author TEXT NOT NULL,
    author_name TEXT,
    text TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    UNIQUE (order_id, client_id)
);
CREATE INDEX messages_by_order ON messages (order_id, id);
CREATE INDEX messages_by_order_author_time ON messages (order_id, author, sent_at);

-- Every live update, so a reconnecting client resumes from its Last-Event-ID. An order's
-- events get ids in commit order: a transaction locks the order's row before adding one.
CREATE TABLE events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    data JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_by_order ON events (order_id, id);

CREATE TABLE timeline (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    at TIMESTAMPTZ NOT NULL,
    event JSONB NOT NULL,
    actor TEXT
);
CREATE INDEX timeline_by_order ON timeline (order_id, id);

CREATE TABLE callbacks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    window_start TIMESTAMPTZ NOT NULL,
    window_end TIMESTAMPTZ NOT NULL,
    done_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX callbacks_by_order ON callbacks (order_id, id);

CREATE TABLE reports (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    receipt_version BIGINT NOT NULL,
    promise TEXT NOT NULL,
    note TEXT,
    reported_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX reports_by_order ON reports (order_id);

-- Change requests; an ask-first question is one with a deadline, the customer's fallback and
-- the channel they chose to be asked on.
CREATE TABLE change_requests (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    change JSONB NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    answered_at TIMESTAMPTZ,
    item TEXT,
    deadline TIMESTAMPTZ,
    fallback JSONB,
    channel TEXT
);
CREATE INDEX change_requests_due ON change_requests (status, deadline);
CREATE INDEX change_requests_by_order ON change_requests (order_id, id);

CREATE TABLE surveys (
    order_id TEXT PRIMARY KEY REFERENCES orders (id),
    rating BIGINT NOT NULL,
    comment TEXT,
    answered_at TIMESTAMPTZ NOT NULL
);

-- The first response to each Idempotency-Key, replayed byte for byte for the same request.
CREATE TABLE idempotency (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_by_time ON idempotency (created_at);

CREATE TABLE operator_presence (
    operator TEXT PRIMARY KEY,
    last_seen TIMESTAMPTZ NOT NULL
);

-- Phone calls the operator logged; a do-not-call customer never gets one.
CREATE TABLE calls (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    callback_id BIGINT REFERENCES callbacks (id),
    note TEXT,
    logged_at TIMESTAMPTZ NOT NULL
);

-- Each first reply's wait in working seconds, when it was answered.
CREATE TABLE reply_waits (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    replied_at TIMESTAMPTZ NOT NULL,
    seconds BIGINT NOT NULL
);
CREATE INDEX reply_waits_by_time ON reply_waits (replied_at);

-- Webhook endpoints (Standard Webhooks): the one from the flags and those made through the API.
CREATE TABLE webhook_endpoints (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    -- Array of event types; empty means all.
    event_types JSONB NOT NULL,
    from_config BOOLEAN NOT NULL DEFAULT FALSE,
    disabled_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);

-- The outbox: one row per endpoint per change, written in the change's transaction.
CREATE TABLE webhook_deliveries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints (id),
    order_id TEXT NOT NULL,
    msg_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    delivered_at TIMESTAMPTZ,
    failed_at TIMESTAMPTZ,
    last_status BIGINT,
    last_error TEXT
);
CREATE INDEX webhook_deliveries_open ON webhook_deliveries (endpoint_id, order_id, id)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_deliveries_delivered ON webhook_deliveries (id) WHERE delivered_at IS NOT NULL;

-- Named operators, their sessions (hashed tokens) and failed sign-ins (for slowing guessers).
CREATE TABLE operators (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE operator_sessions (
    token_hash BYTEA PRIMARY KEY,
    operator_id BIGINT NOT NULL REFERENCES operators (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE sign_in_failures (
    name TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_in_failures_by_name ON sign_in_failures (name, at);
