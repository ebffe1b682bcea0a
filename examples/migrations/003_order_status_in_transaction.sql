-- Wrapped in a transaction by hand: CONCURRENTLY cannot run in here, so the fix moves the index out.
BEGIN;

ALTER TABLE orders ADD COLUMN shipped_at timestamptz;
CREATE INDEX orders_status_idx ON orders (status);

COMMIT;
