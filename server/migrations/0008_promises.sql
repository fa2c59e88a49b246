-- The record of kept promises: one row per promise Kept made, opened and closed inside the write
-- that causes it. `breaks_at` is when an open one falls overdue (its due time, plus the minute
-- of grace of an ask-first question); the sweeper finds them by (state, breaks_at).
CREATE TABLE promises (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES orders (id),
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    due_at TEXT,
    breaks_at TEXT,
    window_start TEXT,
    promised_minutes INTEGER,
    closed_at TEXT,
    decided_at TEXT,
    operator TEXT,
    deviation TEXT,
    subject INTEGER,
    event_id INTEGER,
    -- The shop's local date the decision was counted on in record_days.
    counted_day TEXT,
    due_soon_sent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX promises_by_order ON promises (order_id, id);
CREATE INDEX promises_open ON promises (state, breaks_at);
CREATE INDEX promises_by_kind ON promises (kind, state, id);
CREATE INDEX promises_by_operator ON promises (operator, id);

-- The record, aggregated as promises are decided (never by scanning them): per shop-local day,
-- kind and operator ('' for none), spread over a few shards so concurrent writers do not queue
-- on one row.
CREATE TABLE record_days (
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    operator TEXT NOT NULL,
    shard INTEGER NOT NULL,
    kept INTEGER NOT NULL DEFAULT 0,
    broken INTEGER NOT NULL DEFAULT 0,
    prevented INTEGER NOT NULL DEFAULT 0,
    claims INTEGER NOT NULL DEFAULT 0,
    claims_answered INTEGER NOT NULL DEFAULT 0,
    surveys INTEGER NOT NULL DEFAULT 0,
    rating_sum INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, kind, operator, shard)
);
