-- ingest_valid: agingos_ingest on good input (contract section 5).
SET search_path = agingos, public;

-- case: a fixture event; UUID stored lower-case canonical; room_id from payload.room
SELECT agingos_ingest('{"id": "6F1A9C4A-6A8E-4B4E-9C59-3A2DCB7C9F01", "timestamp": "2025-12-14T20:00:00Z", "category": "motion", "payload": {"state": "on", "room": "hall"}}');
SELECT event_id, agingos_iso("timestamp"), category, payload, room_id, stream_id, home_id
  FROM events WHERE event_id = '6f1a9c4a-6a8e-4b4e-9c59-3a2dcb7c9f01';

-- case: offset +01:00 is accepted and stored as 11:00Z
SELECT agingos_ingest('{"id": "tz-plus-one", "timestamp": "2025-12-23T12:00:00+01:00", "category": "motion"}');
SELECT agingos_iso("timestamp"), payload FROM events WHERE event_id = 'tz-plus-one';

-- case: every offset form of contract section 2, separators t and space, fractions
SELECT agingos_ingest(format('{"id": "off-%s", "timestamp": "%s", "category": "motion"}', n, ts))->>'event_id' AS id
  FROM (VALUES (1, '2025-12-23T12:00:00z'), (2, '2025-12-23t12:00:00-0530'), (3, '2025-12-23 12:00:00+02'),
			   (4, '2025-12-23T12:00:00.5Z'), (5, '2025-12-23T12:00:00.123456-01:00'), (6, '2025-12-23T23:59:59.000001+14:00')) v(n, ts)
 ORDER BY n;
SELECT event_id, agingos_iso("timestamp") FROM events WHERE event_id LIKE 'off-%' ORDER BY event_id;

-- case: ULID and other strings are stored as given; 128 characters is the limit
SELECT agingos_ingest('{"id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "timestamp": "2025-12-23T12:00:00Z", "category": "door", "payload": {"state": "open"}}')->>'event_id';
SELECT agingos_ingest(format('{"id": "%s", "timestamp": "2025-12-23T12:00:00Z", "category": "door"}', repeat('x', 128)))->>'event_id' = repeat('x', 128) AS long_id_ok;
SELECT agingos_ingest('{"id": "ÆØÅ-æøå", "timestamp": "2025-12-23T12:00:00Z", "category": "door"}')->>'event_id';

-- case: category edge cases: one letter, 64 characters, digits and underscores
SELECT agingos_ingest(format('{"id": "cat-%s", "timestamp": "2025-12-23T12:00:00Z", "category": "%s"}', length(c), c))->>'event_id'
  FROM (VALUES ('m'), ('ha_snapshot_2'), ('a' || repeat('b', 63))) v(c) ORDER BY 1;

-- case: identical repeat is deduped, no new row; stream_id does not take part
SELECT agingos_ingest('{"id": "dup-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion", "payload": {"a": 1, "b": [1, 2]}}');
SELECT agingos_ingest('{"payload": {"b": [1, 2], "a": 1.0}, "category": "motion", "timestamp": "2025-12-23T13:00:00+01:00", "id": "dup-1"}', 'default', 'test');
SELECT count(*) FROM events WHERE event_id = 'dup-1';
-- an absent payload equals {}
SELECT agingos_ingest('{"id": "dup-2", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}')->>'deduped';
SELECT agingos_ingest('{"id": "dup-2", "timestamp": "2025-12-23T12:00:00Z", "category": "motion", "payload": {}}')->>'deduped';

-- case: the same id in another home is another event
SELECT agingos_ingest('{"id": "dup-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}', 'home-b')->>'deduped';
SELECT home_id FROM homes ORDER BY 1;

-- case: ROOM(payload): room_id wins, "" is skipped, non-strings render as jsonb text
SELECT agingos_ingest(format('{"id": "room-%s", "timestamp": "2025-12-23T12:00:00Z", "category": "presence", "payload": %s}', n, p))->>'event_id'
  FROM (VALUES (1, '{"room_id": "stue", "room": "kjokken"}'), (2, '{"room_id": "", "room": "kjokken"}'),
			   (3, '{"room": ""}'), (4, '{"room": 12}'), (5, '{"room_id": null, "room": true}'), (6, '{}')) v(n, p)
 ORDER BY 1;
SELECT event_id, coalesce(room_id, '<null>') AS room_id FROM events WHERE event_id LIKE 'room-%' ORDER BY 1;

-- case: payload at the limits: depth 32 and 16384 bytes pass
SELECT agingos_ingest(format('{"id": "deep-32", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": %s1%s}',
							 repeat('{"a":', 31) || '{"a":', repeat('}', 32)))->>'event_id';
SELECT agingos_ingest(format('{"id": "big-16k", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"s": "%s"}}',
							 repeat('y', 16384 - 9)))->>'event_id';
SELECT octet_length(payload->>'s') FROM events WHERE event_id = 'big-16k';

-- case: unicode escapes other than \u0000 are fine; they are stored decoded
SELECT agingos_ingest('{"id": "uni", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"s": "\u00e6\ud83d\ude00"}}')->>'event_id';
SELECT payload->>'s' FROM events WHERE event_id = 'uni';

-- case: jsonb overload
SELECT agingos_ingest('{"id": "jsonb-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion", "payload": {"state": "on"}}'::jsonb, 'default', 'test');
SELECT stream_id FROM events WHERE event_id = 'jsonb-1';

-- case: output instants are ISO Z whatever the session TimeZone
SET timezone = 'Asia/Kolkata';
SELECT agingos_iso(ts) FROM (VALUES ('2025-12-23 12:00:00+00'::timestamptz), ('2025-12-23 12:00:00.000001+00'), ('2025-12-23 12:00:00.5+00')) v(ts);
RESET timezone;

-- cleanup
DELETE FROM events; DELETE FROM homes;
