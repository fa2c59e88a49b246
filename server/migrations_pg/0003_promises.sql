-- The record of kept promises (SQLite's 0008 in this engine's types).
CREATE TABLE promises (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    opened_at TIMESTAMPTZ NOT NULL,
    due_at TIMESTAMPTZ,
    breaks_at TIMESTAMPTZ,
    window_start TIMESTAMPTZ,
    promised_minutes BIGINT,
    closed_at TIMESTAMPTZ,
    decided_at TIMESTAMPTZ,
    operator TEXT,
    deviation TEXT,
    subject BIGINT,
    event_id BIGINT,
    counted_day TEXT,
    due_soon_sent BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX promises_by_order ON promises (order_id, id);
CREATE INDEX promises_open ON promises (state, breaks_at);
CREATE INDEX promises_by_kind ON promises (kind, state, id);
CREATE INDEX promises_by_operator ON promises (operator, id);

CREATE TABLE record_days (
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    operator TEXT NOT NULL,
    shard BIGINT NOT NULL,
    kept BIGINT NOT NULL DEFAULT 0,
    broken BIGINT NOT NULL DEFAULT 0,
    prevented BIGINT NOT NULL DEFAULT 0,
    claims BIGINT NOT NULL DEFAULT 0,
    claims_answered BIGINT NOT NULL DEFAULT 0,
    surveys BIGINT NOT NULL DEFAULT 0,
    rating_sum BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, kind, operator, shard)
);
