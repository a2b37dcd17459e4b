-- agingos install script, part 81: the notification relay (contract.md
-- section 10; docs/notifications.md) — ACK-link tokens, message texts, and
-- the three functions agingos-notify calls.  Part 80 decides who is told
-- what; part 82 serves the ACK-link pages.

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
	SELECT x.* INTO d FROM agingos.deviations x WHERE x.home_id = n.home_id AND x.deviation_id = n.deviation_id;
	IF d.deviation_id IS NULL THEN
		RETURN NULL;
	END IF;
	url := CASE WHEN d.status = 'CLOSED' THEN NULL ELSE agingos.agingos_ack_url(base_url, n) END;
	IF n.kind = 'acked' THEN
		SELECT h.actor INTO who FROM agingos.deviation_history h
		 WHERE h.home_id = d.home_id AND h.deviation_id = d.deviation_id AND h.reason = 'ack'
		 ORDER BY h.history_id DESC LIMIT 1;
		IF who ~ '^contact:[0-9]+$' THEN
			SELECT x.name INTO who FROM agingos.contacts x WHERE x.home_id = d.home_id AND x.contact_id = substr(who, 9)::bigint;
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
	  FROM (SELECT DISTINCT ON (n.home_id, n.contact_id) n.*
			  FROM agingos.notifications n
			 WHERE n.status = 'pending'
			 ORDER BY n.home_id, n.contact_id, n.created_at, n.notification_id) h
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

-- The relay's role (docs/notifications.md): agingos-notify logs in as a
-- member of agingos_relay, which may only run the three relay functions
-- (SECURITY DEFINER, search_path pinned).
GRANT USAGE ON SCHEMA agingos TO agingos_relay;
GRANT EXECUTE ON FUNCTION agingos.agingos_notify_next(text, bigint[], integer) TO agingos_relay;
GRANT EXECUTE ON FUNCTION agingos.agingos_notify_result(text, bigint, boolean, text) TO agingos_relay;
GRANT EXECUTE ON FUNCTION agingos.agingos_notify_active_alerts(text) TO agingos_relay;
