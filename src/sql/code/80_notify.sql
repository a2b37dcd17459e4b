
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

-- agingos_hmac_sha256(key bytea, message text) → bytea (32 bytes)
-- HMAC-SHA256 through PostgreSQL's own src/common/hmac (OpenSSL underneath
-- in Debian's build); src/hmac.c.
CREATE OR REPLACE FUNCTION agingos.agingos_hmac_sha256(key bytea, message text)
RETURNS bytea
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'agingos_hmac_sha256';
COMMENT ON FUNCTION agingos.agingos_hmac_sha256(bytea, text) IS 'Internal: HMAC-SHA256(key, message).';

-- agingos_notify_secret() → bytea: the ACK-link key of notify_secret,
-- made (32 random bytes from gen_random_uuid's strong random source) on
-- first use.
CREATE OR REPLACE FUNCTION agingos.agingos_notify_secret()
RETURNS bytea
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	k bytea;
BEGIN
	SELECT s.secret INTO k FROM agingos.notify_secret s;
	IF k IS NULL THEN
		INSERT INTO agingos.notify_secret (secret)
		VALUES (decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'))
		ON CONFLICT DO NOTHING;
		SELECT s.secret INTO k FROM agingos.notify_secret s;
	END IF;
	RETURN k;
END
$$;
COMMENT ON FUNCTION agingos.agingos_notify_secret() IS 'Internal: the ACK-link signing key (made on first use).';

-- agingos_ack_token(deviation_id bigint, contact_id bigint, expires_at
-- timestamptz) → text '<deviation_id>.<contact_id>.<expires epoch s>.<mac>'
-- mac = the first 16 bytes (hex) of HMAC-SHA256(notify_secret,
-- 'agingos-ack|<deviation_id>|<contact_id>|<epoch>').
CREATE OR REPLACE FUNCTION agingos.agingos_ack_token(deviation_id bigint, contact_id bigint, expires_at timestamptz)
RETURNS text
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
	SELECT format('%s.%s.%s.%s', deviation_id, contact_id, floor(extract(epoch FROM expires_at))::bigint,
		encode(substring(agingos.agingos_hmac_sha256(agingos.agingos_notify_secret(),
			format('agingos-ack|%s|%s|%s', deviation_id, contact_id, floor(extract(epoch FROM expires_at))::bigint)) FROM 1 FOR 16), 'hex'));
$$;
COMMENT ON FUNCTION agingos.agingos_ack_token(bigint, bigint, timestamptz) IS
'Internal: the signed ACK-link token for one deviation and contact, valid until expires_at (docs/notifications.md).';

-- agingos_ack_token_check(token text) → (deviation_id, contact_id, expires_at)
-- The token's fields when its form and MAC are right, else no fields (NULLs).
CREATE OR REPLACE FUNCTION agingos.agingos_ack_token_check(token text,
	OUT deviation_id bigint, OUT contact_id bigint, OUT expires_at timestamptz)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	m text[];
BEGIN
	m := regexp_match(token, '^([0-9]{1,18})\.([0-9]{1,18})\.([0-9]{1,11})\.([0-9a-f]{32})$');
	IF m IS NULL THEN
		RETURN;
	END IF;
	IF encode(substring(agingos.agingos_hmac_sha256(agingos.agingos_notify_secret(),
			format('agingos-ack|%s|%s|%s', m[1]::bigint, m[2]::bigint, m[3]::bigint)) FROM 1 FOR 16), 'hex') <> m[4] THEN
		RETURN;
	END IF;
	deviation_id := m[1]::bigint;
	contact_id := m[2]::bigint;
	expires_at := to_timestamp(m[3]::bigint);
END
$$;
COMMENT ON FUNCTION agingos.agingos_ack_token_check(text) IS
'Internal: the fields of a well-formed ACK-link token with a valid MAC, else NULLs.';

-- agingos_ack_url(base_url text, n notifications) → text or NULL
-- base_url/ack/<token> for the messages that ask for an ACK (opened,
-- escalated, reminder, severity_changed), valid until created_at +
-- notify.ack_link_hours (and until CLOSE); NULL for acked and closed.
CREATE OR REPLACE FUNCTION agingos.agingos_ack_url(base_url text, n agingos.notifications)
RETURNS text
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
	SELECT CASE WHEN n.kind IN ('acked', 'closed') THEN NULL
		ELSE rtrim(base_url, '/') || '/ack/' || agingos.agingos_ack_token(n.deviation_id, n.contact_id,
			n.created_at + make_interval(hours => coalesce((agingos.agingos_config() -> 'notify' ->> 'ack_link_hours')::int, 72)))
		END;
$$;
COMMENT ON FUNCTION agingos.agingos_ack_url(text, agingos.notifications) IS
'Internal: the ACK link of a notification (contract section 10), NULL for acked/closed messages.';

-- agingos_local_time(ts timestamptz) → text 'YYYY-MM-DD HH24:MI (<zone>)'
-- in the config's timezone, for messages and pages.
CREATE OR REPLACE FUNCTION agingos.agingos_local_time(ts timestamptz)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, agingos
AS $$
	SELECT to_char(ts AT TIME ZONE (agingos.agingos_config() ->> 'timezone'), 'YYYY-MM-DD HH24:MI')
		|| ' (' || (agingos.agingos_config() ->> 'timezone') || ')';
$$;
COMMENT ON FUNCTION agingos.agingos_local_time(timestamptz) IS 'Internal: an instant as local time of the config timezone, for carers.';

-- agingos_notify_word(key text) → text: the words of messages and ACK
-- pages in the config's locale (nb or en; the rule titles and explanations
-- already follow it, rules.md section 6.2).  %s marks where a value goes
-- (format()).  An unknown key raises 22023.
CREATE OR REPLACE FUNCTION agingos.agingos_notify_word(key text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	w CONSTANT jsonb := '{
	  "en": {"opened": "New", "escalated": "Not acknowledged yet", "reminder": "Reminder, not acknowledged",
			 "severity_changed": "Now %s", "acked": "Acknowledged", "closed": "Resolved",
			 "what": "What", "where": "Where", "home": "home", "room": "room", "since": "Since", "status": "Status",
			 "ack_by": "Acknowledged by %s at %s", "resolved_at": "Resolved at %s", "ack": "Acknowledge",
			 "someone": "someone", "hello": "Hello %s. Press the button to tell the others that you are taking care of this.",
			 "not_found": "Link not found", "not_found_text": "This acknowledgement link is not valid.",
			 "not_found_hint": "Use the link from the newest message, or ask the operator.",
			 "expired": "Link expired", "expired_at": "This acknowledgement link expired at %s.",
			 "expired_closed": "This acknowledgement link has expired: the deviation was resolved at %s.",
			 "unchanged": "Nothing was changed.", "failed": "Something went wrong",
			 "failed_text": "The acknowledgement could not be stored (error %s). Please try again, or call."},
	  "nb": {"opened": "Ny", "escalated": "Ikke kvittert ennå", "reminder": "Påminnelse, ikke kvittert",
			 "severity_changed": "Nå %s", "acked": "Kvittert", "closed": "Løst",
			 "what": "Hva", "where": "Hvor", "home": "hjem", "room": "rom", "since": "Siden", "status": "Status",
			 "ack_by": "Kvittert av %s %s", "resolved_at": "Løst %s", "ack": "Kvitter",
			 "someone": "noen", "hello": "Hei %s. Trykk på knappen for å si fra til de andre at du tar deg av dette.",
			 "not_found": "Fant ikke lenken", "not_found_text": "Denne kvitteringslenken er ikke gyldig.",
			 "not_found_hint": "Bruk lenken i den nyeste meldingen, eller spør driftsansvarlig.",
			 "expired": "Lenken er utløpt", "expired_at": "Denne kvitteringslenken utløp %s.",
			 "expired_closed": "Denne kvitteringslenken er utløpt: avviket ble løst %s.",
			 "unchanged": "Ingenting ble endret.", "failed": "Noe gikk galt",
			 "failed_text": "Kvitteringen kunne ikke lagres (feil %s). Prøv igjen, eller ring."}}';
	loc text := coalesce(agingos.agingos_config() ->> 'locale', 'en');
	r text;
BEGIN
	r := coalesce(w -> loc, w -> 'en') ->> key;
	IF r IS NULL THEN
		RAISE EXCEPTION 'agingos_notify_word: unknown key %', key USING ERRCODE = '22023';
	END IF;
	RETURN r;
END
$$;
COMMENT ON FUNCTION agingos.agingos_notify_word(text) IS
'Internal: a word of the carer messages and ACK pages in the config locale (nb, en).';

-- agingos_notification_message(base_url text, home_id text,
-- notification_id bigint) → jsonb {channel, target, title, text, body}
-- What the relay sends for one outbox row (contract section 10):
--   body  webhook: {"version":1, notification_id, kind, home_id, contact
--         {contact_id, name, channel, escalation_level}, deviation (section
--         7 persisted form, as it is now), ack_url, created_at};
--         alertmanager: the JSON array of one alert (labels alertname,
--         home_id, rule_id, severity lower case, subject_key, deviation_id;
--         annotations title, explanation, ack_url, status; startsAt; endsAt
--         when CLOSED);  apprise: null
--   title, text  plain words for a carer (what, where, since when, ACK link).
-- NULL when the row does not exist.
CREATE OR REPLACE FUNCTION agingos.agingos_notification_message(base_url text, home_id text, notification_id bigint)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	n agingos.notifications;
	c agingos.contacts;
	d agingos.deviations;
	url text;
	who text;
	head text;
	where_ text;
	txt text;
	body jsonb;
BEGIN
	SELECT x.* INTO n FROM agingos.notifications x
	 WHERE x.home_id = agingos_notification_message.home_id AND x.notification_id = agingos_notification_message.notification_id;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	SELECT x.* INTO c FROM agingos.contacts x WHERE x.home_id = n.home_id AND x.contact_id = n.contact_id;
	SELECT x.* INTO d FROM agingos.deviations x WHERE x.deviation_id = n.deviation_id;
	IF d.deviation_id IS NULL THEN
		RETURN NULL;
	END IF;
	url := CASE WHEN d.status = 'CLOSED' THEN NULL ELSE agingos.agingos_ack_url(base_url, n) END;
	IF n.kind = 'acked' THEN
		SELECT h.actor INTO who FROM agingos.deviation_history h
		 WHERE h.deviation_id = d.deviation_id AND h.reason = 'ack' ORDER BY h.history_id DESC LIMIT 1;
		IF who ~ '^contact:[0-9]+$' THEN
			SELECT x.name INTO who FROM agingos.contacts x WHERE x.contact_id = substr(who, 9)::bigint;
		END IF;
	END IF;
	head := format(agingos.agingos_notify_word(n.kind), d.severity);
	where_ := agingos.agingos_notify_word('home') || ' ' || d.home_id
		|| coalesce(', ' || agingos.agingos_notify_word('room') || ' ' || (d.evidence ->> 'room_id'), '');
	txt := agingos.agingos_notify_word('what') || ': ' || d.title || ' (' || d.severity || ')' || E'\n'
		|| d.explanation || E'\n'
		|| agingos.agingos_notify_word('where') || ': ' || where_ || E'\n'
		|| agingos.agingos_notify_word('since') || ': ' || agingos.agingos_local_time(d.started_at) || E'\n'
		|| CASE WHEN n.kind = 'acked' THEN format(agingos.agingos_notify_word('ack_by'),
						coalesce(who, agingos.agingos_notify_word('someone')), agingos.agingos_local_time(d.acked_at)) || E'\n'
				WHEN d.status = 'CLOSED' THEN format(agingos.agingos_notify_word('resolved_at'), agingos.agingos_local_time(d.closed_at)) || E'\n'
				ELSE '' END
		|| CASE WHEN url IS NOT NULL AND d.status = 'OPEN' THEN agingos.agingos_notify_word('ack') || ': ' || url || E'\n' ELSE '' END;
	IF c.channel = 'webhook' THEN
		body := jsonb_build_object('version', 1, 'notification_id', n.notification_id, 'kind', n.kind,
			'home_id', n.home_id,
			'contact', jsonb_build_object('contact_id', c.contact_id, 'name', c.name, 'channel', c.channel,
										  'escalation_level', c.escalation_level),
			'deviation', agingos.agingos_deviation_json(d), 'ack_url', url,
			'created_at', agingos.agingos_iso(n.created_at));
	ELSIF c.channel = 'alertmanager' THEN
		body := agingos.agingos_alertmanager_alert(d, url);
	END IF;
	RETURN jsonb_build_object('channel', c.channel, 'target', c.target,
		'title', head || ': ' || d.title || ' (' || d.home_id || ')', 'text', txt, 'body', body);
END
$$;
COMMENT ON FUNCTION agingos.agingos_notification_message(text, text, bigint) IS
'Internal: channel, target, carer-readable title and text and the JSON body of one outbox row (contract section 10).';

-- agingos_alertmanager_alert(d deviations, ack_url text) → jsonb array of
-- one alert for POST /api/v2/alerts (contract section 10): endsAt only
-- when CLOSED, so Alertmanager keeps it firing while it is re-sent.
CREATE OR REPLACE FUNCTION agingos.agingos_alertmanager_alert(d agingos.deviations, ack_url text)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, agingos
AS $$
	SELECT jsonb_build_array(jsonb_build_object(
		'labels', jsonb_build_object('alertname', d.rule_id, 'home_id', d.home_id, 'rule_id', d.rule_id,
			'severity', lower(d.severity), 'subject_key', d.subject_key, 'deviation_id', d.deviation_id::text),
		'annotations', jsonb_strip_nulls(jsonb_build_object('title', d.title, 'explanation', d.explanation,
			'ack_url', ack_url, 'status', d.status)),
		'startsAt', agingos.agingos_iso(d.started_at))
		|| CASE WHEN d.status = 'CLOSED' THEN jsonb_build_object('endsAt', agingos.agingos_iso(greatest(d.closed_at, d.started_at + interval '1 second')))
				ELSE '{}'::jsonb END);
$$;
COMMENT ON FUNCTION agingos.agingos_alertmanager_alert(agingos.deviations, text) IS
'Internal: a persisted deviation as an Alertmanager v2 alert (contract section 10).';

-- agingos_notify_next(base_url text, busy bigint[] DEFAULT '{}', max_rows
-- int DEFAULT 100) → SETOF (home_id, notification_id, contact_id, attempts,
-- kind, message jsonb)
-- For the relay: per contact not in busy, the oldest pending message
-- (created_at, notification_id) if it is due (next_attempt_at <= now());
-- a contact whose oldest pending message is not due yet sends nothing,
-- which keeps one contact's messages in order.  message as
-- agingos_notification_message.
CREATE OR REPLACE FUNCTION agingos.agingos_notify_next(base_url text, busy bigint[] DEFAULT '{}', max_rows integer DEFAULT 100,
	OUT home_id text, OUT notification_id bigint, OUT contact_id bigint, OUT attempts integer, OUT kind text, OUT message jsonb)
RETURNS SETOF record
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $$
	SELECT h.home_id, h.notification_id, h.contact_id, h.attempts, h.kind,
		   agingos.agingos_notification_message(base_url, h.home_id, h.notification_id)
	  FROM (SELECT DISTINCT ON (n.contact_id) n.*
			  FROM agingos.notifications n
			 WHERE n.status = 'pending'
			 ORDER BY n.contact_id, n.created_at, n.notification_id) h
	 WHERE h.next_attempt_at <= pg_catalog.now() AND h.contact_id <> ALL (coalesce(busy, '{}'))
	 ORDER BY h.created_at, h.notification_id
	 LIMIT max_rows;
$$;
COMMENT ON FUNCTION agingos.agingos_notify_next(text, bigint[], integer) IS
'Relay: the due head of each contact''s queue with the message to send (docs/notifications.md).';

-- agingos_notify_result(home_id text, notification_id bigint, ok boolean,
-- error text DEFAULT NULL) → text the row's status afterwards
-- For the relay after one delivery attempt.  ok: sent (sent_at = now()).
-- Not ok: attempts + 1, last_error = error (the relay never puts a URL in
-- it); at notify.max_attempts dead with one LOG line naming notification,
-- home and contact; else pending again after an exponential back-off with
-- jitter: base = min(600 s, 2^attempts s), wait uniform in [base/2, base]
-- (first retry after 1-2 s, never more than 10 minutes apart).  A row that
-- is no longer pending (contact removed meanwhile) stays as it is.
CREATE OR REPLACE FUNCTION agingos.agingos_notify_result(home_id text, notification_id bigint, ok boolean, error text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	n agingos.notifications;
	max_att CONSTANT integer := coalesce((agingos.agingos_config() -> 'notify' ->> 'max_attempts')::int, 12);
	base double precision;
BEGIN
	SELECT x.* INTO n FROM agingos.notifications x
	 WHERE x.home_id = agingos_notify_result.home_id AND x.notification_id = agingos_notify_result.notification_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'notification % not found', agingos_notify_result.notification_id USING ERRCODE = 'P0002';
	END IF;
	IF n.status <> 'pending' THEN
		RETURN n.status;
	END IF;
	IF ok THEN
		UPDATE agingos.notifications x SET status = 'sent', sent_at = pg_catalog.now(), attempts = x.attempts + 1
		 WHERE x.home_id = n.home_id AND x.notification_id = n.notification_id;
		RETURN 'sent';
	END IF;
	IF n.attempts + 1 >= max_att THEN
		UPDATE agingos.notifications x SET status = 'dead', attempts = x.attempts + 1, last_error = left(error, 500)
		 WHERE x.home_id = n.home_id AND x.notification_id = n.notification_id;
		PERFORM agingos.agingos_log(format('agingos notify dead notification_id=%s home_id=%s contact_id=%s kind=%s attempts=%s last_error=%s',
			n.notification_id, to_json(n.home_id)::text, n.contact_id, n.kind, n.attempts + 1, to_json(left(error, 200))::text));
		RETURN 'dead';
	END IF;
	base := least(600.0, power(2.0, n.attempts + 1));
	UPDATE agingos.notifications x
	   SET attempts = x.attempts + 1, last_error = left(error, 500),
		   next_attempt_at = pg_catalog.now() + make_interval(secs => base / 2 + random() * base / 2)
	 WHERE x.home_id = n.home_id AND x.notification_id = n.notification_id;
	RETURN 'pending';
END
$$;
COMMENT ON FUNCTION agingos.agingos_notify_result(text, bigint, boolean, text) IS
'Relay: record one delivery attempt — sent, retry with back-off and jitter, or dead after notify.max_attempts (one LOG line).';

-- agingos_notify_active_alerts(base_url text) → SETOF (contact_id, target, body jsonb)
-- For the relay's periodic re-send: every active (OPEN or ACK) deviation as
-- an Alertmanager alert, for each active alertmanager contact already sent
-- a message about it.
CREATE OR REPLACE FUNCTION agingos.agingos_notify_active_alerts(base_url text,
	OUT contact_id bigint, OUT target text, OUT body jsonb)
RETURNS SETOF record
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $$
	SELECT c.contact_id, c.target,
		   agingos.agingos_alertmanager_alert(d, agingos.agingos_ack_url(base_url, m))
	  FROM agingos.contacts c
	  JOIN agingos.deviations d ON d.home_id = c.home_id AND d.status IN ('OPEN', 'ACK')
	  JOIN LATERAL (SELECT x.* FROM agingos.notifications x
					 WHERE x.home_id = d.home_id AND x.deviation_id = d.deviation_id AND x.contact_id = c.contact_id
					   AND x.status = 'sent'
					 ORDER BY x.created_at DESC, x.notification_id DESC LIMIT 1) m ON true
	 WHERE c.channel = 'alertmanager' AND c.active
	 ORDER BY c.contact_id, d.deviation_id;
$$;
COMMENT ON FUNCTION agingos.agingos_notify_active_alerts(text) IS
'Relay: active deviations as Alertmanager alerts for the alertmanager contacts told about them (re-sent while active).';

-- agingos_html(t text) → text with & < > " ' escaped for HTML.
CREATE OR REPLACE FUNCTION agingos.agingos_html(t text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT replace(replace(replace(replace(replace(coalesce(t, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;');
$$;
COMMENT ON FUNCTION agingos.agingos_html(text) IS 'Internal: escape text for HTML.';

-- agingos_ack_page(title text, inner_html text) → text: the HTML page frame.
CREATE OR REPLACE FUNCTION agingos.agingos_ack_page(title text, inner_html text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, agingos
AS $$
	SELECT '<!DOCTYPE html>' || E'\n' || '<html lang="' || coalesce(agingos.agingos_config() ->> 'locale', 'en') || '"><head><meta charset="utf-8">'
		|| '<meta name="viewport" content="width=device-width, initial-scale=1">'
		|| '<meta name="robots" content="noindex">'
		|| '<title>' || agingos.agingos_html(title) || '</title>'
		|| '<style>body{font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em;line-height:1.4}'
		|| 'button{font-size:1.3em;padding:.6em 1.4em}dt{font-weight:bold}</style></head>' || E'\n'
		|| '<body><h1>' || agingos.agingos_html(title) || '</h1>' || E'\n' || inner_html || E'\n</body></html>\n';
$$;
COMMENT ON FUNCTION agingos.agingos_ack_page(text, text) IS 'Internal: the HTML frame of the /ack pages.';

-- agingos_ack_route(method text, token text, request_body text)
-- → (status integer, content_type text, body text)
-- The logic of the routes GET/POST /ack/<token> (contract section 10): no key, the token
-- is the key.  A token of the wrong form or with a wrong MAC, or whose
-- deviation or contact no longer exists → 404 page; past its expiry
-- (created_at + notify.ack_link_hours) or its deviation CLOSED → 410 page;
-- nothing changes in either case.  GET → 200 page: what, where, since
-- when, status and (while OPEN) one button that POSTs to the same URL.
-- POST → agingos_ack(…, actor contact:<id>) and a 200 page saying who
-- acknowledged when; an ACK deviation is left unchanged.  request_body
-- (the button's form) is ignored.  Another method → 405 page.
CREATE OR REPLACE FUNCTION agingos.agingos_ack_route(method text, token text, request_body text,
	OUT status integer, OUT content_type text, OUT body text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	t record;
	d agingos.deviations;
	c agingos.contacts;
	who text;
	info text;
BEGIN
	content_type := 'text/html; charset=utf-8';
	t := agingos.agingos_ack_token_check(token);
	IF t.deviation_id IS NOT NULL THEN
		SELECT x.* INTO d FROM agingos.deviations x WHERE x.deviation_id = t.deviation_id;
		SELECT x.* INTO c FROM agingos.contacts x WHERE x.contact_id = t.contact_id AND x.home_id = d.home_id;
	END IF;
	IF t.deviation_id IS NULL OR d.deviation_id IS NULL OR c.contact_id IS NULL THEN
		status := 404;
		body := agingos.agingos_ack_page(agingos.agingos_notify_word('not_found'),
			'<p>' || agingos.agingos_html(agingos.agingos_notify_word('not_found_text')) || ' '
			|| agingos.agingos_html(agingos.agingos_notify_word('unchanged')) || '</p>'
			|| '<p>' || agingos.agingos_html(agingos.agingos_notify_word('not_found_hint')) || '</p>');
		RETURN;
	END IF;
	IF d.status = 'CLOSED' OR pg_catalog.now() >= t.expires_at THEN
		status := 410;
		body := agingos.agingos_ack_page(agingos.agingos_notify_word('expired'),
			'<p>' || agingos.agingos_html(CASE WHEN d.status = 'CLOSED'
				THEN format(agingos.agingos_notify_word('expired_closed'), agingos.agingos_local_time(d.closed_at))
				ELSE format(agingos.agingos_notify_word('expired_at'), agingos.agingos_local_time(t.expires_at)) END)
			|| ' ' || agingos.agingos_html(agingos.agingos_notify_word('unchanged')) || '</p>');
		RETURN;
	END IF;
	IF method = 'POST' THEN
		d := agingos.agingos_ack(d.deviation_id, d.home_id, 'contact:' || c.contact_id, NULL);
	ELSIF method IS DISTINCT FROM 'GET' THEN
		status := 405;
		body := agingos.agingos_ack_page('Method not allowed', '<p>Open the link in a browser.</p>');
		RETURN;
	END IF;
	info := '<dl><dt>' || agingos.agingos_html(agingos.agingos_notify_word('what')) || '</dt><dd>' || agingos.agingos_html(d.title) || ' (' || d.severity || ')<br>'
		|| agingos.agingos_html(d.explanation) || '</dd>'
		|| '<dt>' || agingos.agingos_html(agingos.agingos_notify_word('where')) || '</dt><dd>'
		|| agingos.agingos_html(agingos.agingos_notify_word('home')) || ' ' || agingos.agingos_html(d.home_id)
		|| coalesce(', ' || agingos.agingos_html(agingos.agingos_notify_word('room')) || ' '
					|| nullif(agingos.agingos_html(d.evidence ->> 'room_id'), ''), '') || '</dd>'
		|| '<dt>' || agingos.agingos_html(agingos.agingos_notify_word('since')) || '</dt><dd>'
		|| agingos.agingos_html(agingos.agingos_local_time(d.started_at)) || '</dd>'
		|| '<dt>' || agingos.agingos_html(agingos.agingos_notify_word('status')) || '</dt><dd id="status">' || d.status || '</dd></dl>';
	IF d.status = 'ACK' THEN
		SELECT h.actor INTO who FROM agingos.deviation_history h
		 WHERE h.deviation_id = d.deviation_id AND h.reason = 'ack' ORDER BY h.history_id DESC LIMIT 1;
		IF who ~ '^contact:[0-9]+$' THEN
			SELECT x.name INTO who FROM agingos.contacts x WHERE x.contact_id = substr(who, 9)::bigint;
		END IF;
		status := 200;
		body := agingos.agingos_ack_page(agingos.agingos_notify_word('acked'), info
			|| '<p id="result">' || agingos.agingos_html(format(agingos.agingos_notify_word('ack_by'),
				coalesce(who, agingos.agingos_notify_word('someone')), agingos.agingos_local_time(d.acked_at))) || '.</p>');
		RETURN;
	END IF;
	status := 200;
	body := agingos.agingos_ack_page(d.title, info
		|| '<p>' || agingos.agingos_html(format(agingos.agingos_notify_word('hello'), c.name)) || '</p>'
		|| '<form method="post"><button id="ack" type="submit">' || agingos.agingos_html(agingos.agingos_notify_word('ack'))
		|| '</button></form>');
EXCEPTION WHEN OTHERS THEN
	-- e.g. the deviation closed between the page and the button (22023)
	GET STACKED DIAGNOSTICS who = RETURNED_SQLSTATE;
	status := CASE WHEN who = '22023' THEN 410 ELSE 500 END;
	content_type := 'text/html; charset=utf-8';
	body := agingos.agingos_ack_page(agingos.agingos_notify_word(CASE WHEN status = 410 THEN 'expired' ELSE 'failed' END),
		'<p>' || agingos.agingos_html(CASE WHEN status = 410 THEN agingos.agingos_notify_word('unchanged')
			 ELSE format(agingos.agingos_notify_word('failed_text'), who) END) || '</p>');
END
$$;
COMMENT ON FUNCTION agingos.agingos_ack_route(text, text, text) IS
'The ACK-link pages GET/POST /ack/<token> (contract section 10); 404 forged, 410 expired, nothing changed then.';

-- http_ack_get / http_ack_post(params text, request_body text, api_key
-- text) → (status, body, content_type): the front's routes GET and POST
-- /ack/<token> (params {"token": …}); no key is needed, the token is the
-- key (api_key is ignored).  Both are agingos_ack_route.
CREATE OR REPLACE FUNCTION agingos.http_ack_get(params text, request_body text, api_key text,
	OUT status integer, OUT body text, OUT content_type text)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $$
	SELECT r.status, r.body, r.content_type
	  FROM agingos.agingos_ack_route('GET', (params::jsonb) ->> 'token', request_body) r;
$$;
COMMENT ON FUNCTION agingos.http_ack_get(text, text, text) IS 'Route GET /ack/<token>: the ACK page (contract section 10).';

CREATE OR REPLACE FUNCTION agingos.http_ack_post(params text, request_body text, api_key text,
	OUT status integer, OUT body text, OUT content_type text)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $$
	SELECT r.status, r.body, r.content_type
	  FROM agingos.agingos_ack_route('POST', (params::jsonb) ->> 'token', request_body) r;
$$;
COMMENT ON FUNCTION agingos.http_ack_post(text, text, text) IS 'Route POST /ack/<token>: acknowledge as contact:<id> (contract section 10).';

-- The relay's role (docs/notifications.md): agingos-notify logs in as a
-- member of agingos_relay, which may only run the three relay functions
-- (SECURITY DEFINER, search_path pinned).
GRANT USAGE ON SCHEMA agingos TO agingos_relay;
GRANT EXECUTE ON FUNCTION agingos.agingos_notify_next(text, bigint[], integer) TO agingos_relay;
GRANT EXECUTE ON FUNCTION agingos.agingos_notify_result(text, bigint, boolean, text) TO agingos_relay;
GRANT EXECUTE ON FUNCTION agingos.agingos_notify_active_alerts(text) TO agingos_relay;
