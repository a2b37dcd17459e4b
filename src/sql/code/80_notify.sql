
-- agingos install script, part 80: carer notifications (contract.md section
-- 10; docs/notifications.md).  Tables in src/sql/schema/80_notify_tables.sql.
--
-- Who gets what, and when (all from the caller's "now", so an injected clock
-- drives every case):
--   open / reopen      "opened" to every active contact at level 0 whose
--                      min_severity the deviation reaches
--   still OPEN         "escalated" to level L once now >= started_at + L x
--                      notify.escalate_after_minutes (L >= 1); a level-0
--                      contact not told yet (added later, or the severity
--                      rose to its min_severity) gets "opened"
--   still OPEN         "reminder" to every contact already told, once its
--                      newest message for the deviation is notify.reminder_minutes
--                      old and none of them is still pending
--   severity step      "severity_changed" to everyone already told
--   ACK / CLOSE        "acked" / "closed" to everyone already told
-- "Already told" = a notifications row exists for (deviation, contact),
-- whatever its status.  Removed contacts (active = false) get nothing more.
-- Quiet hours hold LOW and MEDIUM messages until the quiet period ends (in
-- the home's timezone: its vocabulary's, else the config's); HIGH is never held, and a message that is not held
-- releases the contact's earlier held ones, so one contact's messages stay
-- in created_at order.

-- agingos_severity_rank(severity text) → 1 (LOW), 2 (MEDIUM), 3 (HIGH), else NULL.
CREATE OR REPLACE FUNCTION agingos.agingos_severity_rank(severity text)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE severity WHEN 'LOW' THEN 1 WHEN 'MEDIUM' THEN 2 WHEN 'HIGH' THEN 3 END;
$$;
COMMENT ON FUNCTION agingos.agingos_severity_rank(text) IS 'Internal: LOW 1, MEDIUM 2, HIGH 3.';

-- agingos_quiet_until(quiet_hours text, tz text, at timestamptz) → timestamptz
-- quiet_hours 'HH:MM-HH:MM' in the zone tz (IANA name; start inclusive, end
-- exclusive; start > end crosses midnight).  The instant the quiet period
-- containing "at" ends, or NULL when "at" is not in quiet hours (or
-- quiet_hours is NULL).  Local dates and times through PostgreSQL's tz
-- database (AT TIME ZONE), so DST days are handled as PostgreSQL does.
CREATE OR REPLACE FUNCTION agingos.agingos_quiet_until(quiet_hours text, tz text, at timestamptz)
RETURNS timestamptz
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	s time;
	e time;
	l timestamp;
	t time;
BEGIN
	IF quiet_hours IS NULL THEN
		RETURN NULL;
	END IF;
	s := split_part(quiet_hours, '-', 1)::time;
	e := split_part(quiet_hours, '-', 2)::time;
	l := at AT TIME ZONE tz;
	t := l::time;
	IF s < e THEN
		IF t >= s AND t < e THEN
			RETURN (l::date + e) AT TIME ZONE tz;
		END IF;
	ELSIF t >= s THEN
		RETURN (l::date + 1 + e) AT TIME ZONE tz;
	ELSIF t < e THEN
		RETURN (l::date + e) AT TIME ZONE tz;
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION agingos.agingos_quiet_until(text, text, timestamptz) IS
'Internal: end of the quiet period (HH:MM-HH:MM in zone tz) that contains at, or NULL when at is outside it.';

-- agingos_add_contact(home_id text, name text, channel text, target text,
-- escalation_level int DEFAULT 0, min_severity text DEFAULT 'LOW',
-- quiet_hours text DEFAULT NULL) → bigint contact_id
-- contract.md section 10.  Adds the home to homes when new.  22023 naming
-- the argument for: an empty home_id or name; a channel other than webhook,
-- apprise, alertmanager; a target that is not a URL of the channel
-- (webhook and alertmanager: http:// or https:// with a host; apprise: any
-- scheme://…, docs/notifications.md lists some); no whitespace or control
-- characters; escalation_level outside 0..100; min_severity other than
-- LOW, MEDIUM, HIGH; quiet_hours not HH:MM-HH:MM (00:00..23:59, start and
-- end different).  The target is never echoed in an error (it may hold a
-- secret).
CREATE OR REPLACE FUNCTION agingos.agingos_add_contact(home_id text, name text, channel text, target text,
	escalation_level integer DEFAULT 0, min_severity text DEFAULT 'LOW', quiet_hours text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	id bigint;
BEGIN
	IF agingos_add_contact.home_id IS NULL OR agingos_add_contact.home_id = '' THEN
		RAISE EXCEPTION 'argument "home_id" must be a non-empty text' USING ERRCODE = '22023',
			HINT = 'Pass the home the contact is told about, e.g. ''default''.';
	END IF;
	IF agingos_add_contact.name IS NULL OR btrim(agingos_add_contact.name) = '' OR length(agingos_add_contact.name) > 200 THEN
		RAISE EXCEPTION 'argument "name" must be a non-empty text of at most 200 characters' USING ERRCODE = '22023',
			HINT = 'Name the person or system, e.g. ''Kari (daughter)''; messages and logs use it.';
	END IF;
	IF agingos_add_contact.channel IS NULL OR agingos_add_contact.channel NOT IN ('webhook', 'apprise', 'alertmanager') THEN
		RAISE EXCEPTION 'argument "channel": % is not a channel', coalesce(to_json(left(agingos_add_contact.channel, 40))::text, 'null')
			USING ERRCODE = '22023',
			DETAIL = 'The channels are webhook, apprise and alertmanager.',
			HINT = 'Use apprise for email, Telegram, ntfy, Signal and SMS gateways (docs/notifications.md).';
	END IF;
	IF agingos_add_contact.target IS NULL OR agingos_add_contact.target ~ '[[:space:][:cntrl:]]'
	   OR length(agingos_add_contact.target) > 2048
	   OR (agingos_add_contact.channel IN ('webhook', 'alertmanager') AND agingos_add_contact.target !~* '^https?://[^/?#@]*[^/?#@:][^/?#]*([/?#].*)?$')
	   OR (agingos_add_contact.channel = 'apprise' AND agingos_add_contact.target !~* '^[a-z][a-z0-9+.-]*://.+$') THEN
		RAISE EXCEPTION 'argument "target": not a % URL', agingos_add_contact.channel USING ERRCODE = '22023',
			DETAIL = CASE WHEN agingos_add_contact.target IS NULL THEN 'The target is null.'
						  WHEN agingos_add_contact.target ~ '[[:space:][:cntrl:]]' THEN 'The target contains whitespace or control characters.'
						  WHEN length(agingos_add_contact.target) > 2048 THEN 'The target is longer than 2048 characters.'
						  ELSE 'The target does not have the form of the channel (the value is not shown: it may hold a secret).' END,
			HINT = CASE agingos_add_contact.channel
					WHEN 'webhook' THEN 'Give an http:// or https:// URL, e.g. https://example.org/agingos-hook.'
					WHEN 'alertmanager' THEN 'Give Alertmanager''s base URL, e.g. http://127.0.0.1:9093 (agingos posts to /api/v2/alerts).'
					ELSE 'Give an Apprise URL such as mailto://user:password@example.org, tgram://bottoken/chatid or ntfy://topic.' END;
	END IF;
	IF agingos_add_contact.escalation_level IS NULL OR agingos_add_contact.escalation_level NOT BETWEEN 0 AND 100 THEN
		RAISE EXCEPTION 'argument "escalation_level": % is out of range', coalesce(agingos_add_contact.escalation_level::text, 'null')
			USING ERRCODE = '22023',
			DETAIL = 'Levels are 0 (told at once) to 100.',
			HINT = 'Level L is told after L x notify.escalate_after_minutes without an ACK.';
	END IF;
	IF agingos_add_contact.min_severity IS NULL OR agingos_add_contact.min_severity NOT IN ('LOW', 'MEDIUM', 'HIGH') THEN
		RAISE EXCEPTION 'argument "min_severity": % is not a severity', coalesce(to_json(left(agingos_add_contact.min_severity, 40))::text, 'null')
			USING ERRCODE = '22023',
			DETAIL = 'Severities are LOW, MEDIUM and HIGH (upper case).',
			HINT = 'The contact is told about deviations of this severity or higher.';
	END IF;
	IF agingos_add_contact.quiet_hours IS NOT NULL THEN
		IF agingos_add_contact.quiet_hours !~ '^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$' THEN
			RAISE EXCEPTION 'argument "quiet_hours": % is not HH:MM-HH:MM', to_json(left(agingos_add_contact.quiet_hours, 40))
				USING ERRCODE = '22023',
				DETAIL = 'Quiet hours are a start and an end time, 00:00 to 23:59, local time of the home.',
				HINT = 'For example ''22:00-07:00'' (may cross midnight); NULL for none.';
		END IF;
		IF split_part(agingos_add_contact.quiet_hours, '-', 1) = split_part(agingos_add_contact.quiet_hours, '-', 2) THEN
			RAISE EXCEPTION 'argument "quiet_hours": % starts and ends at the same time', to_json(agingos_add_contact.quiet_hours)
				USING ERRCODE = '22023',
				DETAIL = 'An empty or whole-day quiet period is ambiguous.',
				HINT = 'Pass NULL for no quiet hours, or a real period such as ''22:00-07:00''.';
		END IF;
	END IF;
	INSERT INTO agingos.homes (home_id) VALUES (agingos_add_contact.home_id) ON CONFLICT DO NOTHING;
	INSERT INTO agingos.contacts AS c (home_id, name, channel, target, escalation_level, min_severity, quiet_hours)
	VALUES (agingos_add_contact.home_id, agingos_add_contact.name, agingos_add_contact.channel, agingos_add_contact.target,
			agingos_add_contact.escalation_level, agingos_add_contact.min_severity, agingos_add_contact.quiet_hours)
	RETURNING c.contact_id INTO id;
	RETURN id;
END
$$;
COMMENT ON FUNCTION agingos.agingos_add_contact(text, text, text, text, integer, text, text) IS
'Add a contact told about a home''s deviations (contract section 10); returns contact_id; 22023 naming the bad argument.';

-- agingos_remove_contact(contact_id bigint) → boolean
-- Stops future messages to the contact: active = false, its pending
-- messages become dead (last_error 'contact removed'); sent history stays.
-- true when it was active, false when it was removed before; P0002 for an
-- unknown id.
CREATE OR REPLACE FUNCTION agingos.agingos_remove_contact(contact_id bigint)
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	c agingos.contacts;
BEGIN
	SELECT x.* INTO c FROM agingos.contacts x WHERE x.contact_id = agingos_remove_contact.contact_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'contact % not found', coalesce(agingos_remove_contact.contact_id::text, 'null') USING ERRCODE = 'P0002',
			HINT = 'List the contacts with: select contact_id, home_id, name, channel from contacts;';
	END IF;
	IF NOT c.active THEN
		RETURN false;
	END IF;
	UPDATE agingos.contacts x SET active = false, removed_at = pg_catalog.now()
	 WHERE x.home_id = c.home_id AND x.contact_id = c.contact_id;
	UPDATE agingos.notifications n SET status = 'dead', last_error = 'contact removed'
	 WHERE n.contact_id = c.contact_id AND n.home_id = c.home_id AND n.status = 'pending';
	RETURN true;
END
$$;
COMMENT ON FUNCTION agingos.agingos_remove_contact(bigint) IS
'Stop all future messages to a contact (pending ones become dead); its sent history is kept.';

-- agingos_notify_add(d deviations, c contacts, kind text, at timestamptz) → void
-- One outbox row for (d, c) created at "at", and NOTIFY
-- agingos_notification (the relay LISTENs; delivered at commit).  A LOW or MEDIUM message in
-- c's quiet hours is held (the home's own timezone: its vocabulary's
-- "timezone", else the config's, docs/home-assistant.md): next_attempt_at = end of the
-- quiet period, held = true.  Otherwise next_attempt_at = least(at, now())
-- (an injected clock in the future does not delay it) and the contact's
-- earlier held messages are released to the same instant (order per
-- contact, docs/notifications.md).
CREATE OR REPLACE FUNCTION agingos.agingos_notify_add(d agingos.deviations, c agingos.contacts, kind text, at timestamptz)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	hold timestamptz;
	due timestamptz;
BEGIN
	IF d.severity <> 'HIGH' THEN
		hold := agingos.agingos_quiet_until(c.quiet_hours, agingos.agingos_home_vocabulary(c.home_id) ->> 'timezone', at);
	END IF;
	due := coalesce(hold, least(at, pg_catalog.now()));
	IF hold IS NULL THEN
		UPDATE agingos.notifications n SET next_attempt_at = due, held = false
		 WHERE n.contact_id = c.contact_id AND n.home_id = c.home_id AND n.status = 'pending' AND n.held;
	END IF;
	INSERT INTO agingos.notifications (home_id, deviation_id, contact_id, kind, status, attempts, next_attempt_at,
									   created_at, severity, escalation_level, held)
	VALUES (d.home_id, d.deviation_id, c.contact_id, kind, 'pending', 0, due, at, d.severity, c.escalation_level,
			hold IS NOT NULL);
	-- wake the relay at commit (one signal per transaction: same payload)
	PERFORM pg_notify('agingos_notification', '');
END
$$;
COMMENT ON FUNCTION agingos.agingos_notify_add(agingos.deviations, agingos.contacts, text, timestamptz) IS
'Internal: write one outbox row, held until the end of the contact''s quiet hours for LOW/MEDIUM.';

-- agingos_notify_told(d deviations, kind text, at timestamptz) → integer
-- "kind" to every active contact already told about d.
CREATE OR REPLACE FUNCTION agingos.agingos_notify_told(d agingos.deviations, kind text, at timestamptz)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	c agingos.contacts;
	n integer := 0;
BEGIN
	FOR c IN
		SELECT x.* FROM agingos.contacts x
		 WHERE x.home_id = d.home_id AND x.active
		   AND EXISTS (SELECT 1 FROM agingos.notifications m
						WHERE m.home_id = d.home_id AND m.deviation_id = d.deviation_id AND m.contact_id = x.contact_id)
		 ORDER BY x.contact_id
	LOOP
		PERFORM agingos.agingos_notify_add(d, c, kind, at);
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;
COMMENT ON FUNCTION agingos.agingos_notify_told(agingos.deviations, text, timestamptz) IS
'Internal: one message of this kind to every active contact already told about the deviation.';

-- agingos_notify_due(home_id text, now timestamptz, deviation_id bigint
-- DEFAULT NULL) → integer rows written
-- For every OPEN deviation of the home (or just the one given): reminders
-- to the contacts already told (newest message for it at least
-- notify.reminder_minutes old, none pending), then first messages to the
-- active contacts not told yet whose min_severity it reaches and whose
-- level is due (started_at + level x notify.escalate_after_minutes <= now):
-- "opened" for level 0, "escalated" above.  Called by the tick per home
-- and by the lifecycle at open.
CREATE OR REPLACE FUNCTION agingos.agingos_notify_due(home_id text, now timestamptz, deviation_id bigint DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	cfg CONSTANT jsonb := agingos.agingos_config() -> 'notify';
	esc CONSTANT interval := make_interval(mins => coalesce((cfg ->> 'escalate_after_minutes')::int, 15));
	rem CONSTANT interval := make_interval(mins => coalesce((cfg ->> 'reminder_minutes')::int, 60));
	v_now CONSTANT timestamptz := agingos_notify_due.now;
	r record;
	n integer := 0;
BEGIN
	-- agingos_scheduler_tick makes the same check before it calls (50_lifecycle.sql)
	IF NOT EXISTS (SELECT 1 FROM agingos.contacts x WHERE x.home_id = agingos_notify_due.home_id AND x.active) THEN
		RETURN 0;
	END IF;
	FOR r IN
		SELECT d AS dev, c AS con, told.last_at IS NOT NULL AS told
		  FROM agingos.deviations d
		  JOIN agingos.contacts c ON c.home_id = d.home_id AND c.active
		  LEFT JOIN LATERAL (
			SELECT max(m.created_at) AS last_at, bool_or(m.status = 'pending') AS pending
			  FROM agingos.notifications m
			 WHERE m.home_id = d.home_id AND m.deviation_id = d.deviation_id AND m.contact_id = c.contact_id) told ON true
		 WHERE d.home_id = agingos_notify_due.home_id AND d.status = 'OPEN'
		   AND (agingos_notify_due.deviation_id IS NULL OR d.deviation_id = agingos_notify_due.deviation_id)
		   AND agingos.agingos_severity_rank(d.severity) >= agingos.agingos_severity_rank(c.min_severity)
		   AND CASE WHEN told.last_at IS NULL THEN d.started_at + c.escalation_level * esc <= v_now
					ELSE NOT told.pending AND told.last_at + rem <= v_now END
		 ORDER BY d.deviation_id, c.escalation_level, c.contact_id
	LOOP
		PERFORM agingos.agingos_notify_add(r.dev, r.con,
			CASE WHEN r.told THEN 'reminder' WHEN (r.con).escalation_level = 0 THEN 'opened' ELSE 'escalated' END, v_now);
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;
COMMENT ON FUNCTION agingos.agingos_notify_due(text, timestamptz, bigint) IS
'Internal: escalations, late first messages and reminders due at now for the OPEN deviations of a home (docs/notifications.md).';

-- agingos_notify_lifecycle(d deviations, event text, at timestamptz) → void
-- The outbox side of one lifecycle change (called by agingos_deviation_event
-- in the same transaction): open/reopen → agingos_notify_due for d;
-- escalation/deescalation → severity_changed to those told, then whoever
-- the new severity makes due; ack → acked; stale/manual → closed.
CREATE OR REPLACE FUNCTION agingos.agingos_notify_lifecycle(d agingos.deviations, event text, at timestamptz)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	CASE event
		WHEN 'open', 'reopen' THEN
			PERFORM agingos.agingos_notify_due(d.home_id, at, d.deviation_id);
		WHEN 'escalation', 'deescalation' THEN
			PERFORM agingos.agingos_notify_told(d, 'severity_changed', at);
			PERFORM agingos.agingos_notify_due(d.home_id, at, d.deviation_id);
		WHEN 'ack' THEN
			PERFORM agingos.agingos_notify_told(d, 'acked', at);
		WHEN 'stale', 'manual' THEN
			PERFORM agingos.agingos_notify_told(d, 'closed', at);
		ELSE
			RAISE EXCEPTION 'agingos_notify_lifecycle: unknown event %', event USING ERRCODE = '22023';
	END CASE;
END
$$;
COMMENT ON FUNCTION agingos.agingos_notify_lifecycle(agingos.deviations, text, timestamptz) IS
'Internal: the notifications one lifecycle change causes (contract section 10).';
