-- The per-order message limit is counted in the store (so it holds across server instances):
-- an order's customer messages by time.
CREATE INDEX messages_by_order_author_time ON messages (order_id, author, sent_at);
