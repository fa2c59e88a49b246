-- Agreements written by the server itself (an accepted change request) carry origin 'server':
-- their keys live in a namespace no customer's Idempotency-Key can reach.
CREATE TABLE preference_versions_v2 (
    order_id TEXT NOT NULL REFERENCES orders (id),
    version INTEGER NOT NULL,
    preferences TEXT NOT NULL,
    digest TEXT NOT NULL,
    summary TEXT NOT NULL,
    accepted_at TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT 'customer',
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    PRIMARY KEY (order_id, version),
    UNIQUE (order_id, origin, idempotency_key)
);
INSERT INTO preference_versions_v2
    (order_id, version, preferences, digest, summary, accepted_at, origin, idempotency_key, request_hash)
SELECT order_id, version, preferences, digest, summary, accepted_at,
       CASE WHEN idempotency_key LIKE 'change-request-%' THEN 'server' ELSE 'customer' END,
       idempotency_key, request_hash
FROM preference_versions;
DROP TABLE preference_versions;
ALTER TABLE preference_versions_v2 RENAME TO preference_versions;

-- An ask-first question is a change request with a deadline, the customer's fallback and the
-- channel they chose to be asked on; the sweeper finds due ones by (status, deadline).
ALTER TABLE change_requests ADD COLUMN item TEXT;
ALTER TABLE change_requests ADD COLUMN deadline TEXT;
ALTER TABLE change_requests ADD COLUMN fallback TEXT;
ALTER TABLE change_requests ADD COLUMN channel TEXT;
CREATE INDEX change_requests_due ON change_requests (status, deadline);
CREATE INDEX change_requests_by_order ON change_requests (order_id, id);
CREATE INDEX reports_by_order ON reports (order_id);
CREATE INDEX callbacks_by_order ON callbacks (order_id, id);

-- Since when a customer has been waiting for the shop's reply (NULL: nobody waits), kept as
-- messages are written so the console's list and the reply time never scan the history.
ALTER TABLE orders ADD COLUMN waiting_since TEXT;
UPDATE orders SET waiting_since = (
    SELECT MIN(m.sent_at) FROM messages m WHERE m.order_id = orders.id AND m.author = 'customer' AND m.id >
        COALESCE((SELECT MAX(o.id) FROM messages o WHERE o.order_id = orders.id AND o.author = 'operator'), 0)
);

-- Each first reply's wait in working seconds, when it was answered; the reply-time median reads these.
CREATE TABLE reply_waits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES orders (id),
    replied_at TEXT NOT NULL,
    seconds INTEGER NOT NULL
);
CREATE INDEX reply_waits_by_time ON reply_waits (replied_at);
