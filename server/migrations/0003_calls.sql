-- Phone calls the operator logged; a do-not-call customer never gets one.
CREATE TABLE calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES orders (id),
    callback_id INTEGER REFERENCES callbacks (id),
    note TEXT,
    logged_at TEXT NOT NULL
);
