-- The migration from the incident review: 3 s on staging, 4 hours of blocked writes in production.
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
