-- ingest_invalid: every bad input of contract section 5 and the foundation
-- issue gets a clear error (ERROR/DETAIL/HINT are part of the contract) and
-- stores nothing.
SET search_path = agingos, public;
\set VERBOSITY default

-- case: timestamps: naive, date only, month 13, hour 25, hour 24, second 60,
-- 7 fraction digits, space before the offset, a number
SELECT agingos_ingest('{"id": "t1", "timestamp": "2025-12-23T12:00:00", "category": "motion"}');
SELECT agingos_ingest('{"id": "t2", "timestamp": "2025-12-23", "category": "motion"}');
SELECT agingos_ingest('{"id": "t3", "timestamp": "2025-13-01T00:00:00Z", "category": "motion"}');
SELECT agingos_ingest('{"id": "t4", "timestamp": "2025-12-23T25:00:00Z", "category": "motion"}');
SELECT agingos_ingest('{"id": "t5", "timestamp": "2025-12-23T24:00:00Z", "category": "motion"}');
SELECT agingos_ingest('{"id": "t6", "timestamp": "2025-12-23T23:59:60Z", "category": "motion"}');
SELECT agingos_ingest('{"id": "t7", "timestamp": "2025-12-23T12:00:00.1234567Z", "category": "motion"}');
SELECT agingos_ingest('{"id": "t8", "timestamp": "2025-12-23T12:00:00 +01:00", "category": "motion"}');
-- a cut echo never splits a multibyte character (63 ASCII bytes, then é)
SELECT agingos_ingest(format('{"id": "t8b", "timestamp": "%sééé", "category": "motion"}', repeat('a', 63)));
SELECT agingos_ingest('{"id": "t9", "timestamp": 1766491200, "category": "motion"}');
SELECT agingos_ingest('{"id": "t10", "timestamp": "2025-02-30T12:00:00Z", "category": "motion"}');
SELECT agingos_ingest('{"id": "t11", "timestamp": "2025-12-23T12:00:00+16:00", "category": "motion"}');
-- case: near misses of the common shape (docs/bench.md section 15): an empty
-- fraction, a one-digit offset minute, a lower-case z and t (accepted by the
-- grammar), a trailing character after Z
SELECT agingos_ingest('{"id": "t12", "timestamp": "2025-12-23T12:00:00.Z", "category": "motion"}');
SELECT agingos_ingest('{"id": "t13", "timestamp": "2025-12-23T12:00:00+01:0", "category": "motion"}');
SELECT agingos_ingest('{"id": "t14", "timestamp": "2025-12-23t12:00:00.25z", "category": "motion"}')->>'event_id';
SELECT agingos_ingest('{"id": "t15", "timestamp": "2025-12-23T12:00:00Zx", "category": "motion"}');
SELECT agingos_iso("timestamp") FROM events WHERE event_id = 't14';
DELETE FROM events WHERE event_id = 't14';

-- case: 10 minutes in the future (limit ingest.max_future_minutes = 5)
SELECT agingos_ingest(format('{"id": "t-future", "timestamp": "%s", "category": "motion"}',
							 to_char((now() + interval '10 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')));
-- 1 minute ahead is fine
SELECT agingos_ingest(format('{"id": "t-soon", "timestamp": "%s", "category": "motion"}',
							 to_char((now() + interval '1 minute') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')))->>'event_id';

-- case: ids: empty, 129 characters, missing, wrong type
SELECT agingos_ingest('{"id": "", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}');
SELECT agingos_ingest(format('{"id": "%s", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}', repeat('x', 129)));
SELECT agingos_ingest(format('{"id": "%s", "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}', repeat('x', 200)));
SELECT agingos_ingest('{"timestamp": "2025-12-23T12:00:00Z", "category": "motion"}');
SELECT agingos_ingest('{"id": 42, "timestamp": "2025-12-23T12:00:00Z", "category": "motion"}');

-- case: categories: upper case, hyphen, 65 characters, empty, missing, null
SELECT agingos_ingest('{"id": "c1", "timestamp": "2025-12-23T12:00:00Z", "category": "Motion"}');
SELECT agingos_ingest('{"id": "c2", "timestamp": "2025-12-23T12:00:00Z", "category": "door-front"}');
SELECT agingos_ingest(format('{"id": "c3", "timestamp": "2025-12-23T12:00:00Z", "category": "%s"}', repeat('a', 65)));
SELECT agingos_ingest('{"id": "c4", "timestamp": "2025-12-23T12:00:00Z", "category": ""}');
SELECT agingos_ingest('{"id": "c5", "timestamp": "2025-12-23T12:00:00Z"}');
SELECT agingos_ingest('{"id": "c6", "timestamp": "2025-12-23T12:00:00Z", "category": null}');

-- case: payloads: array, string, null, too large, too deep, \u0000, bad surrogate, huge exponent
SELECT agingos_ingest('{"id": "p1", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": []}');
SELECT agingos_ingest('{"id": "p2", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": "x"}');
SELECT agingos_ingest('{"id": "p3", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": null}');
SELECT agingos_ingest(format('{"id": "p4", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"s": "%s"}}', repeat('y', 16384 - 8)));
SELECT agingos_ingest(format('{"id": "p5", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": %s1%s}', repeat('{"a":', 33), repeat('}', 33)));
SELECT agingos_ingest(format('{"id": "p5b", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": %s1%s}', repeat('[', 100000), repeat(']', 100000)));
SELECT agingos_ingest(format('{"id": %s1%s, "timestamp": "2025-12-23T12:00:00Z", "category": "x"}', repeat('[', 40), repeat(']', 40)));
SELECT agingos_ingest(format('{"id": "p5c", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "extra": %s1%s}', repeat('[', 40), repeat(']', 40)));
SELECT agingos_ingest(format('{"id": "p6", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {%s}}',
	(SELECT string_agg(format('"k%s": %s', i, i), ', ') FROM generate_series(1, 1000) i) || ', "k777": 0'));
SELECT agingos_ingest('{"id": "p6", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"secret": "a\u0000b"}}');
SELECT agingos_ingest('{"id": "p7", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"s": "\ud83d"}}');
SELECT agingos_ingest('{"id": "p8", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"n": 1e100000}}');
SELECT agingos_ingest('{"id": "p9", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"a": 1, "a": 2}}');
SELECT agingos_ingest('{"id": "p10", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"o": {"k": 1, "k": 1}}}');

-- case: strings that cannot be decoded name their member (issue 9): \u0000
-- is 22P05, an unpaired surrogate 22P02, as PostgreSQL's own JSON input
-- (compared at the end); the value is never echoed
CREATE FUNCTION pg_temp.err_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
SELECT pg_temp.err_of(q) FROM (VALUES
	($q$SELECT agingos_ingest('{"id": "u\u0000", "timestamp": "2025-12-23T12:00:00Z", "category": "x"}')$q$),
	($q$SELECT agingos_ingest('{"id": "u1", "timestamp": "2025-12-23T12:00:00Z\u0000", "category": "x"}')$q$),
	($q$SELECT agingos_ingest('{"id": "u2", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"room": "stue\u0000"}}')$q$),
	($q$SELECT agingos_ingest('{"id": "u3", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"a": 1, "o": {"k": [1, "x", "\u0000"]}}}')$q$),
	($q$SELECT agingos_ingest('{"id": "u4", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"o": {"ro\u0000m": 1}}}')$q$),
	($q$SELECT agingos_ingest('{"id\u0000": "u5", "timestamp": "2025-12-23T12:00:00Z", "category": "x"}')$q$),
	($q$SELECT agingos_ingest('{"id": "\ud800", "timestamp": "2025-12-23T12:00:00Z", "category": "x"}')$q$),
	($q$SELECT agingos_ingest('{"id": "u6", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"room": "\ud800"}}')$q$),
	($q$SELECT agingos_ingest('{"id": "u7", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"room": "\udc00x"}}')$q$),
	($q$SELECT agingos_ingest('{"id": "u8", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"room": "\ud800\u0041"}}')$q$),
	($q$SELECT agingos_ingest('{"id": "u9", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"room": "\u12G4"}}')$q$),
	($q$SELECT agingos_ingest('"\u0000"')$q$),
	-- PostgreSQL's own JSON input, for comparison
	($q$SELECT '"\ud800"'::jsonb$q$),
	($q$SELECT '"\u0000"'::jsonb$q$)) v(q);
-- the surrogate pair itself is fine
SELECT agingos_ingest('{"id": "u10", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "payload": {"room": "\ud83d\ude00"}}')->>'event_id';
DELETE FROM events WHERE event_id = 'u10';
\set VERBOSITY default

-- case: bodies: array, null, string, number, invalid JSON, empty, whitespace, trailing garbage
SELECT agingos_ingest('[]');
SELECT agingos_ingest('null');
SELECT agingos_ingest('"x"');
SELECT agingos_ingest('12');
SELECT agingos_ingest('{"id": "b1", "timestamp": "2025-12-23T12:00:00Z", "category": "x"');
SELECT agingos_ingest('');
SELECT agingos_ingest(E' \n ');
SELECT agingos_ingest('{"id": "b2", "timestamp": "2025-12-23T12:00:00Z", "category": "x"} x');

-- case: members: unknown top-level member, duplicate member
SELECT agingos_ingest('{"id": "m1", "timestamp": "2025-12-23T12:00:00Z", "category": "x", "room": "stue"}');
SELECT agingos_ingest('{"id": "m2", "id": "m3", "timestamp": "2025-12-23T12:00:00Z", "category": "x"}');

-- case: the payload is never echoed: the \u0000 and duplicate errors above name
-- only the member; and the scope arguments are checked
SELECT agingos_ingest('{"id": "s1", "timestamp": "2025-12-23T12:00:00Z", "category": "x"}', '');
SELECT agingos_ingest('{"id": "s1", "timestamp": "2025-12-23T12:00:00Z", "category": "x"}', 'default', '');

-- case: same id with other content → 23505, nothing changed
SELECT agingos_ingest('{"id": "conflict-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion", "payload": {"state": "on"}}')->>'deduped';
SELECT agingos_ingest('{"id": "conflict-1", "timestamp": "2025-12-23T12:00:00Z", "category": "motion", "payload": {"state": "off"}}');
SELECT agingos_ingest('{"id": "conflict-1", "timestamp": "2025-12-23T12:00:01Z", "category": "motion", "payload": {"state": "on"}}');
SELECT agingos_ingest('{"id": "conflict-1", "timestamp": "2025-12-23T12:00:00Z", "category": "door", "payload": {"state": "on"}}');
SELECT payload, category, agingos_iso("timestamp") FROM events WHERE event_id = 'conflict-1';

-- case: a NULL argument is 22004 naming it (not a NULL result with nothing
-- stored), for both forms and both functions
SELECT agingos_ingest(NULL::text);
SELECT agingos_ingest('{"id": "n1", "timestamp": "2025-12-23T12:00:00Z", "category": "x"}', NULL);
SELECT agingos_ingest('{"id": "n1", "timestamp": "2025-12-23T12:00:00Z", "category": "x"}'::jsonb, 'default', NULL);
SELECT agingos_ingest_batch(NULL::jsonb);
SELECT agingos_ingest_batch('[]', NULL);

-- case: nothing else was stored by any of the calls above
SELECT event_id FROM events ORDER BY 1;

-- case: query-string instants (agingos_parse_instant) follow the same grammar
SELECT agingos_iso(agingos_parse_instant('2025-12-23T12:00:00-01:00', 'since'));
SELECT agingos_parse_instant('2025-12-23T12:00:00', 'since');
SELECT agingos_parse_instant(NULL, 'since') IS NULL AS null_in_null_out;

-- cleanup
DELETE FROM events; DELETE FROM homes;
