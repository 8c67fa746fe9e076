-- pgbench script for bench/http_rush.py: the registration's hot-row transaction, by itself.
-- Take a seat on one event row (the row lock every registration of that event queues behind),
-- then insert a confirmed registration into a copy of events_registration (same columns and
-- indexes, the partial unique ones included), and commit. Run with -D events_count=N.
\set event random(1, :events_count)
BEGIN;
UPDATE bench_hot_event SET taken = taken + 1 WHERE id = :event AND taken < capacity;
INSERT INTO bench_hot_registration (event, person, email_key, status, created_at, updated_at, amount, currency, party, price_tier, ticket_code)
  VALUES (:event, nextval('bench_hot_person'), 'hot-' || currval('bench_hot_person') || '@bench.example.org', 'confirmed', now(), now(), 0, 'USD', '', 'member', 'HOT' || currval('bench_hot_person'));
COMMIT;
