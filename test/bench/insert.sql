-- pgbench script: the raw single-row INSERT that POST /event is compared with.
\set r random(1, 1000000000000)
INSERT INTO agingos.events (home_id, event_id, "timestamp", category, payload, room_id, stream_id)
VALUES ('bench-raw', 'pgb-' || :client_id || '-' || :r, '2025-12-23 12:00:00+00', 'presence',
        '{"state":"on","room":"stue"}', 'stue', 'prod') ON CONFLICT DO NOTHING;
