-- notify: carer notifications (contract.md section 10, docs/notifications.md)
-- with an injected clock: the notify: config block, contacts and their bad
-- input, the outbox rows of open / escalation / reminder / severity step /
-- ACK / CLOSE, quiet hours, the relay's queue and back-off, message bodies,
-- the ACK-link route, and actor/note in deviation_history.
SET search_path = agingos, public;
SET timezone = 'UTC';
\set VERBOSITY default
SELECT coalesce(max(version), 0) AS cfg_version FROM config \gset
TRUNCATE notifications, contacts, deviation_history, deviations RESTART IDENTITY;

-- case: notify: defaults, and a block with every key
SELECT agingos_config() -> 'notify' AS notify_defaults;
SELECT agingos_load_config($$
timezone: Europe/Oslo
locale: en
notify: {escalate_after_minutes: 15, reminder_minutes: 60, max_attempts: 3, ack_link_hours: 72}
defaults: {expire_after_minutes: 1440}
rules:
  R-001: {enabled_in_scheduler: false}
$$) -> 'notify' AS notify_loaded;

-- case: bad notify: values are F0000 naming the key; the previous config stays
SELECT agingos_load_config(E'notify: {escalate_after_minutes: 0}\nrules: {R-001: {}}\n');
SELECT agingos_load_config(E'notify: {reminder_minutes: often}\nrules: {R-001: {}}\n');
SELECT agingos_load_config(E'notify: {max_attempts: -1}\nrules: {R-001: {}}\n');
SELECT agingos_load_config(E'notify: {ack_link_hours: 9000}\nrules: {R-001: {}}\n');
SELECT agingos_load_config(E'notify: {retries: 3}\nrules: {R-001: {}}\n');
SELECT agingos_load_config(E'notify: [1, 2]\nrules: {R-001: {}}\n');
SELECT agingos_config() -> 'notify' ->> 'max_attempts' AS still_max_attempts;

-- case: contacts of home-n: two at level 0 (one only for HIGH, one with
-- quiet hours 22:00-07:00), one at level 1, one at level 2 on alertmanager
SELECT agingos_add_contact('home-n', 'Kari', 'webhook', 'http://127.0.0.1:9/hook') AS kari;
SELECT agingos_add_contact('home-n', 'Ola', 'apprise', 'json://127.0.0.1:9/x', 0, 'HIGH') AS ola;
SELECT agingos_add_contact('home-n', 'Night-quiet', 'webhook', 'https://example.org/h?token=s3cret', 0, 'LOW', '22:00-07:00') AS quiet;
SELECT agingos_add_contact('home-n', 'Nabo', 'webhook', 'http://127.0.0.1:9/nabo', 1) AS nabo;
SELECT agingos_add_contact('home-n', 'AM', 'alertmanager', 'http://127.0.0.1:9093', 2) AS am;
SELECT contact_id, home_id, name, channel, escalation_level, min_severity, quiet_hours, active FROM contacts ORDER BY contact_id;
SELECT count(*) AS home_added FROM homes WHERE home_id = 'home-n';

-- case: bad contact input is 22023 naming the argument; nothing is stored
\set VERBOSITY terse
SELECT agingos_add_contact('home-n', 'x', 'sms', 'http://a');
SELECT agingos_add_contact('home-n', 'x', NULL, 'http://a');
SELECT agingos_add_contact('home-n', 'x', 'webhook', 'ftp://example.org/x');
SELECT agingos_add_contact('home-n', 'x', 'webhook', 'http://');
SELECT agingos_add_contact('home-n', 'x', 'webhook', 'http://exa mple.org/');
SELECT agingos_add_contact('home-n', 'x', 'webhook', NULL);
SELECT agingos_add_contact('home-n', 'x', 'alertmanager', 'localhost:9093');
SELECT agingos_add_contact('home-n', 'x', 'apprise', 'not a url');
SELECT agingos_add_contact('home-n', 'x', 'apprise', 'mailto:user@example.org');
SELECT agingos_add_contact('home-n', 'x', 'webhook', 'http://a', -1);
SELECT agingos_add_contact('home-n', 'x', 'webhook', 'http://a', 0, 'low');
SELECT agingos_add_contact('home-n', 'x', 'webhook', 'http://a', 0, 'CRITICAL');
SELECT agingos_add_contact('home-n', 'x', 'webhook', 'http://a', 0, 'LOW', '22-07');
SELECT agingos_add_contact('home-n', 'x', 'webhook', 'http://a', 0, 'LOW', '24:00-07:00');
SELECT agingos_add_contact('home-n', 'x', 'webhook', 'http://a', 0, 'LOW', '22:00-22:00');
SELECT agingos_add_contact('home-n', 'x', 'webhook', 'http://a', 0, 'LOW', '22:00 - 07:00');
SELECT agingos_add_contact('home-n', '', 'webhook', 'http://a');
SELECT agingos_add_contact('', 'x', 'webhook', 'http://a');
\set VERBOSITY default
-- the detail never shows the target (it may hold a secret)
SELECT agingos_add_contact('home-n', 'x', 'webhook', 'mailto://user:s3cret@example.org');
SELECT count(*) AS contacts_after_bad_input FROM contacts;

CREATE FUNCTION pg_temp.open(p_rule text, p_now text, p_severity text DEFAULT 'LOW') RETURNS text LANGUAGE sql AS $$
	SELECT agingos.agingos_upsert_deviation('home-n', p_rule, 'default', p_now::timestamptz, p_severity, 'Door open at night',
		'The front door opened at 23:00.', '{"event_ids": ["e1"], "room_id": "gang"}', p_now::timestamptz - interval '1 hour', p_now::timestamptz);
$$;
CREATE FUNCTION pg_temp.outbox() RETURNS TABLE (id bigint, dev bigint, contact text, kind text, status text, severity text,
	lvl int, created text, next_attempt text, held boolean)
LANGUAGE sql AS $$
	SELECT n.notification_id, n.deviation_id, c.name, n.kind, n.status, n.severity, n.escalation_level,
		   agingos.agingos_iso(n.created_at), agingos.agingos_iso(n.next_attempt_at), n.held
	  FROM agingos.notifications n JOIN agingos.contacts c USING (home_id, contact_id)
	 ORDER BY n.notification_id;
$$;
CREATE FUNCTION pg_temp.dev(p_rule text) RETURNS bigint LANGUAGE sql AS $$
	SELECT max(d.deviation_id) FROM agingos.deviations d WHERE d.home_id = 'home-n' AND d.rule_id = p_rule;
$$;
-- mark every pending row sent, as the relay would
CREATE FUNCTION pg_temp.deliver_all() RETURNS bigint LANGUAGE sql AS $$
	SELECT count(agingos.agingos_notify_result(n.home_id, n.notification_id, true))
	  FROM agingos.notifications n WHERE n.status = 'pending';
$$;

-- case: open at 10:00 UTC (11:00 Oslo, outside quiet hours), LOW: "opened"
-- to the level-0 contacts whose min_severity it reaches (not Ola: HIGH
-- only), in the same transaction as the open; nobody at level 1 or 2 yet
SELECT pg_temp.open('R-002', '2025-06-02T10:00:00Z');
SELECT * FROM pg_temp.outbox();
SELECT reason, actor, note FROM deviation_history ORDER BY history_id;

-- case: escalation from the tick's now: nothing at +14 min, level 1 at +15,
-- level 2 at +30 (each once)
SELECT agingos_notify_due('home-n', '2025-06-02T10:14:59Z') AS due_at_14;
SELECT agingos_notify_due('home-n', '2025-06-02T10:15:00Z') AS due_at_15;
SELECT agingos_notify_due('home-n', '2025-06-02T10:20:00Z') AS due_at_20;
SELECT agingos_notify_due('home-n', '2025-06-02T10:30:00Z') AS due_at_30;
SELECT id, contact, kind, lvl, created FROM pg_temp.outbox() WHERE kind = 'escalated';

-- case: reminders every reminder_minutes to the contacts already told, but
-- not while a message for the deviation is still pending to them
SELECT agingos_notify_due('home-n', '2025-06-02T11:00:00Z') AS due_at_60_all_pending;
SELECT pg_temp.deliver_all() AS delivered;
SELECT agingos_notify_due('home-n', '2025-06-02T10:59:59Z') AS due_before_60;
SELECT agingos_notify_due('home-n', '2025-06-02T11:00:00Z') AS due_at_60;
SELECT id, contact, kind, lvl, created FROM pg_temp.outbox() WHERE kind = 'reminder';
SELECT pg_temp.deliver_all() AS delivered;
SELECT agingos_notify_due('home-n', '2025-06-02T11:15:00Z') AS due_at_75;
SELECT agingos_notify_due('home-n', '2025-06-02T11:30:00Z') AS due_at_90;
SELECT id, contact, kind, lvl, created FROM pg_temp.outbox() WHERE kind = 'reminder' AND created > '2025-06-02T11:00:00Z';

-- case: the scheduler tick computes the same from its injected now
SELECT pg_temp.deliver_all() AS delivered;
SELECT agingos_scheduler_tick('2025-06-02T12:00:00Z') ->> 'status' AS tick;
SELECT id, contact, kind, created FROM pg_temp.outbox() WHERE created = '2025-06-02T12:00:00Z';

-- case: severity step LOW -> HIGH: severity_changed to everyone told, and
-- Ola (HIGH only, level 0) now gets "opened"
SELECT pg_temp.deliver_all() AS delivered;
SELECT pg_temp.open('R-002', '2025-06-02T12:10:00Z', 'HIGH');
SELECT id, contact, kind, severity, created FROM pg_temp.outbox() WHERE created = '2025-06-02T12:10:00Z';

-- case: ACK through SQL with actor contact:<id> and a note: "acked" to
-- everyone told; no more escalations or reminders for an ACK deviation
SELECT pg_temp.deliver_all() AS delivered;
SELECT status FROM agingos_ack(1, 'home-n', 'contact:1', 'on my way', '2025-06-02T12:20:00Z');
SELECT id, contact, kind, created FROM pg_temp.outbox() WHERE kind = 'acked';
SELECT agingos_notify_due('home-n', '2025-06-02T20:00:00Z') AS due_after_ack;
SELECT reason, actor, note, agingos_iso(at) AS at FROM deviation_history WHERE reason = 'ack';
-- ACK again: unchanged, no new messages
SELECT status, agingos_iso(acked_at) AS acked_at FROM agingos_ack(1, 'home-n', 'contact:2');
SELECT count(*) AS acked_rows FROM notifications WHERE kind = 'acked';

-- case: manual close with the default actor sql:<session_user>: "closed" to everyone told
SELECT pg_temp.deliver_all() AS delivered;
SELECT status FROM agingos_close(1, 'home-n', NULL, 'false alarm', '2025-06-02T12:30:00Z');
SELECT id, contact, kind, created FROM pg_temp.outbox() WHERE kind = 'closed';
SELECT reason, actor LIKE 'sql:%' AS sql_actor, note FROM deviation_history WHERE reason = 'manual';
SELECT count(*) FILTER (WHERE actor = 'scheduler') AS by_scheduler, count(*) AS history_rows FROM deviation_history;

-- case: bad actor for agingos_ack and agingos_close is 22023; unknown id P0002 (any home)
\set VERBOSITY terse
SELECT pg_temp.open('R-003', '2025-06-02T13:00:00Z');
SELECT agingos_ack(pg_temp.dev('R-003'), 'home-n', 'admin');
SELECT agingos_ack(pg_temp.dev('R-003'), 'home-n', 'contact:abc');
SELECT agingos_close(pg_temp.dev('R-003'), NULL, 'key:');
SELECT agingos_ack(99, NULL);
SELECT agingos_close(NULL);
\set VERBOSITY default
SELECT status FROM deviations WHERE deviation_id = pg_temp.dev('R-003');

-- case: quiet hours (22:00-07:00 Europe/Oslo): agingos_quiet_until
SELECT agingos_iso(agingos_quiet_until('22:00-07:00', 'Europe/Oslo', t::timestamptz)) AS quiet_until, t
  FROM unnest(ARRAY['2025-06-02T19:59:59Z', '2025-06-02T20:00:00Z', '2025-06-02T23:30:00Z',
					'2025-06-03T04:59:59Z', '2025-06-03T05:00:00Z', '2025-12-02T21:30:00Z']) t;
SELECT agingos_iso(agingos_quiet_until('01:00-05:30', 'Europe/Oslo', t::timestamptz)) AS quiet_until, t
  FROM unnest(ARRAY['2025-06-02T22:59:00Z', '2025-06-02T23:00:00Z', '2025-06-03T03:29:00Z', '2025-06-03T03:30:00Z']) t;
-- the night of the switch to summer time (30 March 2025: 02:00 -> 03:00)
SELECT agingos_iso(agingos_quiet_until('22:00-07:00', 'Europe/Oslo', '2025-03-29T23:00:00Z')) AS quiet_until_dst;

-- case: a LOW deviation at 23:30 Oslo: held for Night-quiet until 07:00
-- Oslo, not for the others; then a HIGH deviation is never held and
-- releases the contact's held message (order per contact)
SELECT pg_temp.deliver_all() AS delivered;
SELECT pg_temp.open('R-004', '2025-06-02T21:30:00Z');
SELECT id, contact, kind, severity, created, next_attempt, held FROM pg_temp.outbox() WHERE created = '2025-06-02T21:30:00Z';
SELECT pg_temp.open('R-005', '2025-06-02T21:40:00Z', 'HIGH');
SELECT id, contact, kind, severity, created, next_attempt, held FROM pg_temp.outbox()
 WHERE created IN ('2025-06-02T21:30:00Z', '2025-06-02T21:40:00Z') AND contact = 'Night-quiet';

-- case: the relay's queue: the due head of each contact's queue, oldest
-- first; busy contacts are left out; a failed attempt backs off 1-2 s,
-- keeps the head (the contact's later messages wait), and dead after
-- notify.max_attempts (3 here) with a LOG line
SELECT pg_temp.deliver_all() AS delivered;
SELECT pg_temp.open('R-006', '2025-06-02T14:00:00Z');
SELECT (agingos_ack(pg_temp.dev('R-006'), 'home-n', 'contact:1', NULL, '2025-06-02T14:01:00Z')).status;
SELECT notification_id, contact_id, attempts, kind FROM agingos_notify_next('http://h') ORDER BY notification_id;
SELECT notification_id, contact_id FROM agingos_notify_next('http://h', ARRAY[1::bigint]) ORDER BY notification_id;
BEGIN;  -- one now() for the attempt and the check
SELECT agingos_notify_result('home-n', min(notification_id), false, 'HTTP 500') AS after_fail_1
  FROM notifications WHERE status = 'pending' AND contact_id = 1;
SELECT attempts, last_error, next_attempt_at - now() BETWEEN interval '1 second' AND interval '2 seconds' AS backoff_1_2s
  FROM notifications WHERE status = 'pending' AND contact_id = 1 AND attempts > 0;
COMMIT;
SELECT count(*) AS kari_due_now FROM agingos_notify_next('http://h') WHERE contact_id = 1;
UPDATE notifications SET next_attempt_at = now() WHERE contact_id = 1 AND attempts > 0;
BEGIN;  -- one now() for the attempt and the check
SELECT agingos_notify_result('home-n', min(notification_id), false, 'timeout') AS after_fail_2
  FROM notifications WHERE status = 'pending' AND contact_id = 1;
SELECT next_attempt_at - now() BETWEEN interval '2 seconds' AND interval '4 seconds' AS backoff_2_4s
  FROM notifications WHERE status = 'pending' AND contact_id = 1 AND attempts > 0;
COMMIT;
SELECT agingos_notify_result('home-n', min(notification_id), false, 'connection refused') AS after_fail_3
  FROM notifications WHERE status = 'pending' AND contact_id = 1;
SELECT kind, status, attempts, last_error FROM notifications WHERE status = 'dead';
-- the next message of Kari is now the head of her queue
SELECT n.kind FROM agingos_notify_next('http://h') x JOIN notifications n USING (home_id, notification_id) WHERE x.contact_id = 1;
SELECT agingos_notify_result('home-n', min(notification_id), true) AS after_ok
  FROM notifications WHERE status = 'pending' AND contact_id = 1;
-- a result for a row that is no longer pending changes nothing
SELECT agingos_notify_result('home-n', min(notification_id), true) AS dead_stays FROM notifications WHERE status = 'dead';

-- case: the back-off never exceeds 10 minutes
SELECT agingos_load_config($$
timezone: Europe/Oslo
locale: en
notify: {max_attempts: 40}
defaults: {expire_after_minutes: 1440}
rules:
  R-001: {enabled_in_scheduler: false}
$$) -> 'notify' ->> 'max_attempts' AS max_attempts;
SELECT pg_temp.deliver_all() AS delivered;
SELECT pg_temp.open('R-007', '2025-06-02T15:00:00Z');
UPDATE notifications SET attempts = 20 WHERE status = 'pending' AND contact_id = 1;
BEGIN;  -- one now() for the attempt and the check
SELECT agingos_notify_result('home-n', min(notification_id), false, 'HTTP 503') AS after_fail_21
  FROM notifications WHERE status = 'pending' AND contact_id = 1;
SELECT next_attempt_at - now() BETWEEN interval '300 seconds' AND interval '600 seconds' AS backoff_5_10min
  FROM notifications WHERE status = 'pending' AND contact_id = 1;
COMMIT;

-- case: messages: webhook body (section 10 + section 7 form), apprise
-- title and text, Alertmanager alert; ack_url only while it asks for an ACK
SELECT jsonb_pretty(m - 'target' || jsonb_build_object('text', regexp_replace(m ->> 'text', '/ack/\S+', '/ack/<token>'), 'body', (m -> 'body') - 'ack_url' || jsonb_build_object('ack_url', (m -> 'body' ->> 'ack_url') ~ '^http://h/ack/[0-9]+\.1\.[0-9]+\.[0-9a-f]{32}$')))
  FROM (SELECT agingos_notification_message('http://h/', 'home-n', min(notification_id)) AS m
		  FROM notifications WHERE deviation_id = pg_temp.dev('R-007') AND contact_id = 1) x;
SELECT m ->> 'title' AS title, regexp_replace(m ->> 'text', '/ack/\S+', '/ack/<token>') AS text
  FROM (SELECT agingos_notification_message('http://h', 'home-n', min(notification_id)) AS m
		  FROM notifications WHERE deviation_id = pg_temp.dev('R-007') AND contact_id = 2 OR (deviation_id = pg_temp.dev('R-007') AND contact_id = 3)) x;
SELECT m ->> 'title' AS title, m ->> 'text' AS text, m -> 'body' ->> 'ack_url' AS ack_url
  FROM (SELECT agingos_notification_message('http://h', 'home-n', n.notification_id) AS m
		  FROM notifications n WHERE n.deviation_id = 1 AND n.contact_id = 1 AND n.kind = 'acked') x;
SELECT jsonb_pretty(jsonb_set(m -> 'body', '{0,annotations,ack_url}', '"<ack_url>"')) AS alert
  FROM (SELECT agingos_notification_message('http://h', 'home-n', min(notification_id)) AS m
		  FROM notifications WHERE deviation_id = 1 AND contact_id = 5 AND kind = 'escalated') x;
SELECT jsonb_pretty(m -> 'body') AS alert_closed
  FROM (SELECT agingos_notification_message('http://h', 'home-n', notification_id) AS m
		  FROM notifications WHERE deviation_id = 1 AND contact_id = 5 AND kind = 'closed') x;
SELECT contact_id, body -> 0 -> 'labels' ->> 'deviation_id' AS deviation FROM agingos_notify_active_alerts('http://h');

-- case: the ACK link: GET shows what, where, since when and one button;
-- POST acknowledges as contact:<id>; a second POST changes nothing
SELECT pg_temp.deliver_all() AS delivered;
SELECT pg_temp.open('R-008', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'MEDIUM');
SELECT substr(agingos_ack_url('http://h', n), 14) AS token FROM notifications n
 WHERE deviation_id = pg_temp.dev('R-008') AND contact_id = 1 \gset
SELECT status, content_type, body ~ 'Door open at night' AS what, body ~ 'home home-n, room gang' AS where_,
	   body ~ 'Since' AS since, body ~ '<button id="ack" type="submit">Acknowledge</button>' AS button,
	   body ~ '<dd id="status">OPEN</dd>' AS open
  FROM agingos_ack_route('GET', :'token', NULL);
SELECT status, body ~ 'Acknowledged by Kari' AS by_kari FROM agingos_ack_route('POST', :'token', '');
SELECT status, acked_at IS NOT NULL AS acked FROM deviations WHERE deviation_id = pg_temp.dev('R-008');
SELECT actor FROM deviation_history WHERE deviation_id = pg_temp.dev('R-008') AND reason = 'ack';
SELECT status, body ~ 'Acknowledged by Kari' AS by_kari, body !~ '<button' AS no_button FROM agingos_ack_route('POST', :'token', '');
SELECT count(*) AS ack_history_rows FROM deviation_history WHERE deviation_id = pg_temp.dev('R-008') AND reason = 'ack';

-- case: forged tokens → 404, expired or closed → 410, nothing changed
SELECT pg_temp.open('R-009', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
SELECT agingos_ack_token(pg_temp.dev('R-009'), 1, now() + interval '1 hour') AS good, agingos_ack_token(pg_temp.dev('R-009'), 1, now() - interval '1 second') AS old \gset
SELECT t AS token_kind, s.status, s.content_type, s.body ~ 'Nothing was changed' AS unchanged_said
  FROM (VALUES ('good', :'good'),
			   ('wrong mac', left(:'good', -1) || CASE WHEN right(:'good', 1) = '0' THEN '1' ELSE '0' END),
			   ('other contact', regexp_replace(:'good', '^([0-9]+)\.1\.', '\1.2.')),
			   ('longer expiry', regexp_replace(:'good', '\.([0-9]+)\.', '.9\1.')),
			   ('garbage', 'hello'), ('empty', ''), ('expired', :'old')) v(t, tok),
	   LATERAL agingos_ack_route('GET', v.tok, NULL) s;
SELECT status FROM agingos_ack_route('POST', :'old', '');
SELECT status FROM agingos_ack_route('POST', 'x.y.z', '');
SELECT status FROM agingos_ack_route('DELETE', :'good', '');
SELECT status FROM deviations WHERE deviation_id = pg_temp.dev('R-009');
SELECT (agingos_close(pg_temp.dev('R-009'), 'home-n')).status;
SELECT status, body ~ 'resolved' AS resolved FROM agingos_ack_route('GET', :'good', NULL);
SELECT status FROM agingos_ack_route('POST', :'good', '');
SELECT status, count(*) FILTER (WHERE reason = 'ack') AS acks FROM deviations JOIN deviation_history USING (deviation_id)
 WHERE deviation_id = pg_temp.dev('R-009') GROUP BY status;
-- the front's role may run the route, and read no notification table
SELECT status, content_type, body ~ 'Acknowledge' AS page FROM http_ack_get('{"token": "x"}', NULL, NULL);
SELECT has_function_privilege('agingos_api', 'agingos.http_ack_get(text, text, text)', 'EXECUTE') AS api_may_route,
	   has_function_privilege('agingos_api', 'agingos.agingos_ack_route(text, text, text)', 'EXECUTE') AS api_may_logic,
	   has_function_privilege('agingos_relay', 'agingos.agingos_notify_next(text, bigint[], integer)', 'EXECUTE') AS relay_may_next,
	   has_function_privilege('agingos_relay', 'agingos.agingos_ack(bigint, text, text, text, timestamptz)', 'EXECUTE') AS relay_may_ack,
	   has_table_privilege('agingos_api', 'agingos.notify_secret', 'SELECT') AS api_reads_secret;

-- case: with locale nb (the shipped default) messages and pages speak Norwegian
SELECT agingos_load_config($$
timezone: Europe/Oslo
locale: nb
defaults: {expire_after_minutes: 1440}
rules:
  R-001: {enabled_in_scheduler: false}
$$) ->> 'locale' AS locale;
SELECT m ->> 'title' AS title, regexp_replace(m ->> 'text', '/ack/\S+', '/ack/<token>') AS text
  FROM (SELECT agingos_notification_message('http://h', 'home-n', min(notification_id)) AS m
		  FROM notifications WHERE deviation_id = pg_temp.dev('R-007') AND contact_id = 3) x;
SELECT m ->> 'title' AS title, m ->> 'text' AS text
  FROM (SELECT agingos_notification_message('http://h', 'home-n', n.notification_id) AS m
		  FROM notifications n WHERE n.deviation_id = 1 AND n.contact_id = 1 AND n.kind = 'acked') x;
SELECT status, body ~ '<html lang="nb">' AS nb, body ~ '<button id="ack" type="submit">Kvitter</button>' AS button,
	   body ~ '<dt>Hva</dt>' AS hva, body ~ 'Hei Kari' AS hei
  FROM agingos_ack_route('GET', agingos_ack_token(pg_temp.dev('R-007'), 1, now() + interval '1 hour'), NULL);
SELECT status, body ~ 'Ingenting ble endret' AS unchanged FROM agingos_ack_route('GET', 'forged', NULL);
SELECT agingos_notify_word('nonsense');

-- case: remove a contact: its pending messages become dead, no new ones;
-- sent history stays; removing again is false; unknown id P0002
SELECT pg_temp.open('R-010', '2025-06-02T16:00:00Z');
SELECT count(*) AS kari_pending FROM notifications WHERE contact_id = 1 AND status = 'pending';
SELECT agingos_remove_contact(1) AS removed;
SELECT agingos_remove_contact(1) AS removed_again;
SELECT status, last_error, count(*) FROM notifications WHERE contact_id = 1 GROUP BY 1, 2 ORDER BY 1;
SELECT agingos_notify_due('home-n', '2025-06-02T20:00:00Z') >= 0 AS ran;
SELECT count(*) AS kari_pending_after, count(*) FILTER (WHERE created_at = '2025-06-02T20:00:00Z') AS kari_new
  FROM notifications WHERE contact_id = 1 AND status = 'pending';
SELECT count(*) AS others_new FROM notifications WHERE created_at = '2025-06-02T20:00:00Z';
SELECT agingos_remove_contact(999);

-- case: reopen: a new episode of R-002 (closed above) is a new deviation
-- with its own "opened" to the active level-0 contacts (Kari is removed)
SELECT pg_temp.open('R-002', '2025-06-02T16:30:00Z');
SELECT reason FROM deviation_history WHERE deviation_id = pg_temp.dev('R-002') ORDER BY history_id;
SELECT dev = pg_temp.dev('R-002') AS new_episode, contact, kind, severity, created FROM pg_temp.outbox()
 WHERE created = '2025-06-02T16:30:00Z';

-- case: a home without contacts writes no outbox rows
SELECT agingos.agingos_upsert_deviation('home-empty', 'R-002', 'default', '2025-06-02T10:00:00Z', 'HIGH', 't', 'e', '{}',
	'2025-06-02T09:00:00Z', '2025-06-02T10:00:00Z');
SELECT count(*) AS outbox_rows_of_home_empty FROM notifications WHERE home_id = 'home-empty';

-- case: quiet hours follow the home's own timezone (vocabulary), not only
-- the config's: 03:00Z is 23:00 in New York (held until 07:00 there,
-- 11:00Z) but 05:00 in Oslo (held until 05:00Z)
SELECT pg_temp.deliver_all() AS delivered;
SELECT agingos_set_home_vocabulary('home-n', '{"timezone": "America/New_York"}') ->> 'timezone' AS home_tz;
SELECT pg_temp.open('R-011', '2025-06-03T03:00:00Z');
SELECT contact, severity, created, next_attempt, held FROM pg_temp.outbox() WHERE created = '2025-06-03T03:00:00Z' AND contact = 'Night-quiet';
SELECT agingos_set_home_vocabulary('home-n', '{}') ->> 'timezone' AS config_tz;
SELECT pg_temp.open('R-001', '2025-06-03T03:05:00Z');
SELECT contact, severity, created, next_attempt, held FROM pg_temp.outbox() WHERE created = '2025-06-03T03:05:00Z' AND contact = 'Night-quiet';

-- case: agingos_reset empties the outbox, contacts stay
SELECT agingos_reset();
SELECT (SELECT count(*) FROM notifications) AS notifications, (SELECT count(*) FROM contacts) AS contacts;

-- the configuration of the tests before this file
DELETE FROM config WHERE version > :cfg_version;
TRUNCATE notifications, contacts RESTART IDENTITY;
DELETE FROM homes WHERE home_id IN ('home-n', 'home-empty');

-- case: clock injection (docs/spec/design.md): agingos_ack, agingos_close,
-- PATCH /deviations/{id}, the ACK link and GET /rules take now as their last
-- argument; acked_at/closed_at and history are that instant, not the wall
-- clock.  In a transaction that is rolled back, so later files see nothing.
BEGIN;
-- GET /rules: truth at the given now, the same as agingos_rule_truth then
SELECT r.status,
	   (SELECT jsonb_agg(x -> 'truth' -> 'days_with_data' ORDER BY x ->> 'rule_id') FROM jsonb_array_elements(r.body::jsonb) x)
	   = (SELECT jsonb_agg(to_jsonb(t.days_with_data) ORDER BY t.rule_id) FROM agingos_rule_truth('default', '2025-12-24T12:00:00Z') t)
	   AS truth_at_now
  FROM http_rules('{}', NULL, NULL, '2025-12-24T12:00:00Z') r;
SELECT agingos_upsert_deviation('clock-n', rule_id, 'default', '2025-07-01T10:00:00Z', 'HIGH', 'T', 'E', '{}',
								'2025-07-01T09:00:00Z', '2025-07-01T10:00:00Z') AS upserted
  FROM unnest(ARRAY['R-001', 'R-003', 'R-004']) rule_id;
SELECT deviation_id AS dev1 FROM deviations WHERE home_id = 'clock-n' AND rule_id = 'R-001' \gset
SELECT deviation_id AS dev3 FROM deviations WHERE home_id = 'clock-n' AND rule_id = 'R-003' \gset
SELECT deviation_id AS dev4 FROM deviations WHERE home_id = 'clock-n' AND rule_id = 'R-004' \gset
SELECT status, acked_at = '2025-07-01T10:05:00Z' AS acked_at_is_now
  FROM agingos_ack(:dev1, 'clock-n', NULL, NULL, '2025-07-01T10:05:00Z');
SELECT status, closed_at = '2025-07-01T10:07:00Z' AS closed_at_is_now
  FROM agingos_close(:dev1, 'clock-n', NULL, 'done', '2025-07-01T10:07:00Z');
SELECT reason, agingos_iso(at) AS at FROM deviation_history WHERE deviation_id = :dev1 AND reason IN ('ack', 'manual') ORDER BY history_id;
-- the route handler of PATCH /deviations/{id} passes the envelope's now
UPDATE settings SET value = 'api_key' WHERE name = 'auth_mode';
SELECT agingos_create_api_key(ARRAY['clock-n'], 'carer') AS clock_key \gset
SELECT r.status, r.body::jsonb ->> 'acked_at' AS acked_at
  FROM route_call('deviation_patch', 'ack', false, format('{"deviation_id": "%s"}', :dev3), '{"status": "ACK"}', :'clock_key',
				  '2025-07-01T10:09:00Z') r;
-- the ACK link: the token's expiry and acked_at follow now
SELECT agingos_add_contact('clock-n', 'Klokke', 'webhook', 'http://127.0.0.1:9/clock') AS clock_contact \gset
SELECT agingos_ack_token(:dev4, :clock_contact, '2025-07-01T11:00:00Z') AS clock_token \gset
SELECT status FROM ack_route('GET', :'clock_token', NULL, '2025-07-01T10:59:59Z');
SELECT status FROM ack_route('GET', :'clock_token', NULL, '2025-07-01T11:00:00Z');
SELECT status FROM ack_route('POST', :'clock_token', '', '2025-07-01T10:30:00Z');
SELECT status, acked_at = '2025-07-01T10:30:00Z' AS acked_at_is_now FROM deviations WHERE deviation_id = :dev4;
-- a removed contact's ACK link (agingos_remove_contact): 404 on GET and POST, nothing changed
SELECT agingos_remove_contact(:clock_contact) AS removed;
SELECT status FROM ack_route('GET', :'clock_token', NULL, '2025-07-01T10:40:00Z');
SELECT status FROM ack_route('POST', :'clock_token', '', '2025-07-01T10:40:00Z');
SELECT status, acked_at = '2025-07-01T10:30:00Z' AS acked_at_unchanged FROM deviations WHERE deviation_id = :dev4;
ROLLBACK;
