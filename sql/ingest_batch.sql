-- ingest_batch: agingos_ingest_batch (contract section 4): per-item results,
-- every valid item stored even when others are rejected, whole-call errors.
SET search_path = agingos, public;
\set VERBOSITY default

-- case: a mixed batch: accepted, rejected (several reasons), deduped, conflict
SELECT jsonb_pretty(agingos_ingest_batch($$[
  {"id": "b-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion", "payload": {"state": "on"}},
  {"id": "b-2", "timestamp": "2025-12-23T12:00:00", "category": "motion"},
  {"id": "b-3", "timestamp": "2025-12-23T12:01:00Z", "category": "door", "payload": {"s": "a\u0000b"}},
  {"id": "b-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion", "payload": {"state": "on"}},
  {"id": "b-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion", "payload": {"state": "off"}},
  [1, 2],
  {"id": "b-4", "timestamp": "2025-12-23T12:02:00Z", "category": "door", "payload": {"state": "open", "state": "closed"}},
  {"id": "B0000000-0000-0000-0000-00000000000A", "timestamp": "2025-12-23T12:03:00+01:00", "category": "presence", "payload": {"room": "stue"}},
  {"id": "b-5", "timestamp": "2025-12-23T12:04:00Z", "category": "x", "unknown": 1}
]$$));
SELECT event_id, agingos_iso("timestamp"), category, room_id FROM events ORDER BY "timestamp", event_id;

-- case: per-item errors of strings that cannot be decoded name the member
-- (issue 9): \u0000 22P05, an unpaired surrogate 22P02; the others are stored
SELECT r->>'status' AS status, r->'error'->>'code' AS code, r->'error'->>'message' AS message
FROM jsonb_array_elements(agingos_ingest_batch($$[
  {"id": "bu-\u0000", "timestamp": "2025-12-23T12:00:00Z", "category": "x"},
  {"id": "bu-1", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"room": "a\u0000"}},
  {"id": "\ud800", "timestamp": "2025-12-23T12:00:00Z", "category": "x"},
  {"id": "bu-2", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"list": ["ok", "\udfff"]}},
  {"id": "bu-3", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"room": "\ud83d\ude00"}}
]$$)->'results') r;
DELETE FROM events WHERE event_id LIKE 'bu-%';

-- case: empty array
SELECT agingos_ingest_batch('[]');

-- case: whole-call errors store nothing: not an array, invalid JSON, too many items, too deep
SELECT agingos_ingest_batch('{"id": "x"}');
SELECT agingos_ingest_batch('[{"id": "b-9", "timestamp": "2025-12-23T12:00:00Z", "category": "x"}');
SELECT agingos_ingest_batch((SELECT '[' || string_agg(format('{"id": "many-%s", "timestamp": "2025-12-23T12:00:00Z", "category": "x"}', i), ',') || ']'
							   FROM generate_series(1, 10001) i));
SELECT agingos_ingest_batch('[' || repeat('[', 1500) || repeat(']', 1500) || ']');
-- an item 300 levels deep is rejected alone; a good item next to it is stored
SELECT jsonb_path_query_array(agingos_ingest_batch('[' || repeat('[', 300) || repeat(']', 300)
	|| ', {"id": "beside-deep", "timestamp": "2025-12-23T12:00:00Z", "category": "x"}]'), '$.results[*].status');
DELETE FROM events WHERE event_id = 'beside-deep';
SELECT count(*) FROM events WHERE event_id LIKE 'many-%' OR event_id = 'b-9';

-- case: exactly 10,000 items are accepted
SELECT r - 'results' FROM agingos_ingest_batch((SELECT '[' || string_agg(format('{"id": "many-%s", "timestamp": "2025-12-23T12:00:00Z", "category": "x"}', i), ',') || ']'
							   FROM generate_series(1, 10000) i)) r;
SELECT count(*) FROM events WHERE event_id LIKE 'many-%';

-- case: an item nested too deep is rejected alone
SELECT jsonb_path_query(agingos_ingest_batch(format('[{"id": "d-1", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": %s1%s}, {"id": "d-2", "timestamp": "2025-12-23T12:00:00Z", "category": "x"}]',
	repeat('{"a":', 40), repeat('}', 40))), '$.results[*].status');

-- case: items are stored in event_id order (no lock-order deadlock between
-- overlapping batches); a repeated id keeps array order: first accepted
SELECT jsonb_path_query_array(agingos_ingest_batch('[
  {"id": "z-2", "timestamp": "2025-12-23T12:00:00Z", "category": "x"},
  {"id": "z-1", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"v": 1}},
  {"id": "z-1", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"v": 2}},
  {"id": "z-1", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"v": 1}}]'), '$.results[*].status');
SELECT event_id, payload FROM events WHERE event_id LIKE 'z-%' ORDER BY id;

-- case: jsonb overload
SELECT agingos_ingest_batch('[{"id": "j-1", "timestamp": "2025-12-23T12:00:00Z", "category": "x"}]'::jsonb, 'home-j') - 'results';
SELECT home_id, event_id FROM events WHERE home_id = 'home-j';

-- cleanup
DELETE FROM events; DELETE FROM homes;
