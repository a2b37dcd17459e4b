-- agingos install script, part 82: the ACK-link pages GET/POST /ack/<token>
-- (contract.md section 10; docs/notifications.md "ACK links"): HTML, no API
-- key (the signed token of part 81 is the key).

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
-- deviation or contact no longer exists, or the contact was removed
-- (agingos_remove_contact: a carer who left cannot look or acknowledge) → 404 page; past its expiry
-- (created_at + notify.ack_link_hours) or its deviation CLOSED → 410 page;
-- nothing changes in either case.  GET → 200 page: what, where, since
-- when, status and (while OPEN) one button that POSTs to the same URL.
-- POST → agingos_ack(…, actor contact:<id>) and a 200 page saying who
-- acknowledged when; an ACK deviation is left unchanged.  request_body
-- (the button's form) is ignored.  Another method → 405 page.  now: the
-- clock of the expiry check and of acked_at (docs/spec/design.md, clock
-- injection).  The HTML pages keep their own error mapping (a failed ACK
-- is a page, 22023 → 410, else 500), not route_call's JSON table.
CREATE OR REPLACE FUNCTION agingos.ack_route(method text, token text, request_body text, now timestamptz,
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
	-- the token names the contact; its home is looked up once and the
	-- deviation found by (home_id, deviation_id): one of another home is
	-- not found (docs/scale.md "Every unique key carries home_id")
	IF t.deviation_id IS NOT NULL THEN
		SELECT x.* INTO c FROM agingos.contacts x WHERE x.contact_id = t.contact_id;
		SELECT x.* INTO d FROM agingos.deviations x WHERE x.home_id = c.home_id AND x.deviation_id = t.deviation_id;
	END IF;
	IF t.deviation_id IS NULL OR d.deviation_id IS NULL OR c.contact_id IS NULL OR NOT c.active THEN
		status := 404;
		body := agingos.agingos_ack_page(agingos.agingos_notify_word('not_found'),
			'<p>' || agingos.agingos_html(agingos.agingos_notify_word('not_found_text')) || ' '
			|| agingos.agingos_html(agingos.agingos_notify_word('unchanged')) || '</p>'
			|| '<p>' || agingos.agingos_html(agingos.agingos_notify_word('not_found_hint')) || '</p>');
		RETURN;
	END IF;
	IF d.status = 'CLOSED' OR coalesce(ack_route.now, pg_catalog.now()) >= t.expires_at THEN
		status := 410;
		body := agingos.agingos_ack_page(agingos.agingos_notify_word('expired'),
			'<p>' || agingos.agingos_html(CASE WHEN d.status = 'CLOSED'
				THEN format(agingos.agingos_notify_word('expired_closed'), agingos.agingos_local_time(d.closed_at))
				ELSE format(agingos.agingos_notify_word('expired_at'), agingos.agingos_local_time(t.expires_at)) END)
			|| ' ' || agingos.agingos_html(agingos.agingos_notify_word('unchanged')) || '</p>');
		RETURN;
	END IF;
	IF method = 'POST' THEN
		d := agingos.agingos_ack(d.deviation_id, d.home_id, 'contact:' || c.contact_id, NULL, ack_route.now);
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
		 WHERE h.home_id = d.home_id AND h.deviation_id = d.deviation_id AND h.reason = 'ack'
		 ORDER BY h.history_id DESC LIMIT 1;
		IF who ~ '^contact:[0-9]+$' THEN
			SELECT x.name INTO who FROM agingos.contacts x WHERE x.home_id = d.home_id AND x.contact_id = substr(who, 9)::bigint;
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
COMMENT ON FUNCTION agingos.ack_route(text, text, text, timestamptz) IS
'The ACK-link pages GET/POST /ack/<token> at the instant now (contract section 10); 404 forged, 410 expired, nothing changed then.';

-- agingos_ack_route(method text, token text, request_body text) →
-- (status, content_type, body): ack_route at now() (the 0.2.0 name).
CREATE OR REPLACE FUNCTION agingos.agingos_ack_route(method text, token text, request_body text,
	OUT status integer, OUT content_type text, OUT body text)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
	SELECT r.status, r.content_type, r.body FROM agingos.ack_route(method, token, request_body, pg_catalog.now()) r;
$$;
COMMENT ON FUNCTION agingos.agingos_ack_route(text, text, text) IS
'The ACK-link pages GET/POST /ack/<token> at now() (contract section 10); see ack_route.';

-- http_ack_get / http_ack_post(params text, request_body text, api_key
-- text) → (status, body, content_type): the front's routes GET and POST
-- /ack/<token> (params {"token": …}); no key is needed, the token is the
-- key (api_key is ignored).  Both are ack_route at now().
CREATE OR REPLACE FUNCTION agingos.http_ack_get(params text, request_body text, api_key text,
	OUT status integer, OUT body text, OUT content_type text)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $$
	SELECT r.status, r.body, r.content_type
	  FROM agingos.ack_route('GET', (params::jsonb) ->> 'token', request_body, pg_catalog.now()) r;
$$;
COMMENT ON FUNCTION agingos.http_ack_get(text, text, text) IS 'Route GET /ack/<token>: the ACK page (contract section 10).';

CREATE OR REPLACE FUNCTION agingos.http_ack_post(params text, request_body text, api_key text,
	OUT status integer, OUT body text, OUT content_type text)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, agingos
AS $$
	SELECT r.status, r.body, r.content_type
	  FROM agingos.ack_route('POST', (params::jsonb) ->> 'token', request_body, pg_catalog.now()) r;
$$;
COMMENT ON FUNCTION agingos.http_ack_post(text, text, text) IS 'Route POST /ack/<token>: acknowledge as contact:<id> (contract section 10).';
