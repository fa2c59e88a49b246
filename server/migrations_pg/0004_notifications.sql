-- Reaching her where she is (SQLite's 0009 in this engine's types).
ALTER TABLE orders ADD COLUMN seen_message BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN seen_request BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN seen_status TEXT;
ALTER TABLE orders ADD COLUMN notified_message BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN notified_request BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN notified_status TEXT;

CREATE TABLE notifications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    state TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    due_at TIMESTAMPTZ NOT NULL,
    channel TEXT,
    items BIGINT NOT NULL DEFAULT 0,
    attempts BIGINT NOT NULL DEFAULT 0,
    decided_at TIMESTAMPTZ,
    error TEXT
);
CREATE UNIQUE INDEX notifications_pending ON notifications (order_id) WHERE state = 'pending';
CREATE INDEX notifications_due ON notifications (state, due_at);
CREATE INDEX notifications_by_order ON notifications (order_id, id);
