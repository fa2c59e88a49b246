-- Reaching her where she is. What she has on screen in a visible tab (the newest message and
-- change request, the status shown), and how far notifications have carried what she had not
-- seen: what is newer than both is unseen and unsent.
ALTER TABLE orders ADD COLUMN seen_message INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN seen_request INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN seen_status TEXT;
ALTER TABLE orders ADD COLUMN notified_message INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN notified_request INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN notified_status TEXT;

-- One row per batch: opened (pending) by the first thing the shop says that she has not seen,
-- due --notify-after minutes later; one pending row per order at most. A worker claims a due row
-- by moving `due_at` on (a lease), so an instance that dies mid-send leaves it due again; the
-- Message-ID is the row's, so a resend is the same message.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES orders (id),
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    channel TEXT,
    items INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    decided_at TEXT,
    error TEXT
);
CREATE UNIQUE INDEX notifications_pending ON notifications (order_id) WHERE state = 'pending';
CREATE INDEX notifications_due ON notifications (state, due_at);
CREATE INDEX notifications_by_order ON notifications (order_id, id);
