
-- agingos install script, part 70: HTTP routes over deviations, rules and
-- health (contract.md sections 6 and 7): their handlers route_<route>.  Each
-- http_<route>(params, request_body, api_key) → (status, body) is one call of
-- the envelope route_call (part 75), which authorises and runs the handler;
-- handlers only RAISE, errors become the section 6 body.

-- agingos_deviation_core_json(…) → jsonb: the DeviationV1 members shared by
-- computed and persisted deviations (contract section 7); deviation_id as given.
CREATE OR REPLACE FUNCTION agingos.agingos_deviation_core_json(deviation_id jsonb, rule_id text, ts timestamptz,
	severity text, title text, explanation text, evidence jsonb, window_since timestamptz, window_until timestamptz)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, agingos
AS $$
	SELECT jsonb_build_object('deviation_id', deviation_id, 'rule_id', rule_id,
		'timestamp', agingos.agingos_iso(ts), 'severity', severity, 'title', title,
		'explanation', explanation, 'evidence', evidence,
		'window', jsonb_build_object('since', agingos.agingos_iso(window_since), 'until', agingos.agingos_iso(window_until)));
$$;
COMMENT ON FUNCTION agingos.agingos_deviation_core_json(jsonb, text, timestamptz, text, text, text, jsonb, timestamptz, timestamptz) IS
'Internal: the DeviationV1 members of contract section 7.';

-- agingos_deviation_v1_json(d deviations_v1) → jsonb: DeviationV1 (uuid id).
CREATE OR REPLACE FUNCTION agingos.agingos_deviation_v1_json(d agingos.deviations_v1)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, agingos
AS $$
	SELECT agingos.agingos_deviation_core_json(to_jsonb(d.deviation_id), d.rule_id, d."timestamp", d.severity,
		d.title, d.explanation, d.evidence, d.window_since, d.window_until);
$$;
COMMENT ON FUNCTION agingos.agingos_deviation_v1_json(agingos.deviations_v1) IS
'A computed deviation as DeviationV1 JSON (contract section 7).';

-- agingos_deviation_json(d deviations) → jsonb: a persisted deviation —
-- DeviationV1 with the integer deviation_id plus home_id, status,
-- subject_key, started_at, last_seen_at, acked_at, closed_at.
CREATE OR REPLACE FUNCTION agingos.agingos_deviation_json(d agingos.deviations)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, agingos
AS $$
	SELECT agingos.agingos_deviation_core_json(to_jsonb(d.deviation_id), d.rule_id, d."timestamp", d.severity,
			d.title, d.explanation, d.evidence, d.window_since, d.window_until)
		|| jsonb_build_object('home_id', d.home_id, 'status', d.status, 'subject_key', d.subject_key,
			'started_at', agingos.agingos_iso(d.started_at), 'last_seen_at', agingos.agingos_iso(d.last_seen_at),
			'acked_at', agingos.agingos_iso(d.acked_at), 'closed_at', agingos.agingos_iso(d.closed_at));
$$;
COMMENT ON FUNCTION agingos.agingos_deviation_json(agingos.deviations) IS
'A persisted deviation as JSON (contract section 7).';

-- agingos_http_window(p jsonb, default_now timestamptz DEFAULT now()) →
-- (since, until, now): the window query arguments of /deviations/evaluate
-- and /deviations/persist: since and until required (22023), strict
-- instants (22007), now optional (default default_now, the route's clock).
CREATE OR REPLACE FUNCTION agingos.agingos_http_window(p jsonb, default_now timestamptz DEFAULT pg_catalog.now(),
	OUT since timestamptz, OUT until timestamptz, OUT now timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, agingos
AS $$
BEGIN
	IF p ->> 'since' IS NULL OR p ->> 'until' IS NULL THEN
		RAISE EXCEPTION 'query parameters "since" and "until" are required' USING ERRCODE = '22023',
			HINT = 'Give the window as ISO 8601 instants with offset, e.g. ?since=2025-12-23T10:00:00Z&until=2025-12-23T12:00:00Z.';
	END IF;
	since := agingos.agingos_parse_instant(p ->> 'since', 'since');
	until := agingos.agingos_parse_instant(p ->> 'until', 'until');
	now := coalesce(agingos.agingos_parse_instant(p ->> 'now', 'now'), default_now, pg_catalog.now());
END
$$;
COMMENT ON FUNCTION agingos.agingos_http_window(jsonb, timestamptz) IS
'Internal: since/until/now query arguments of the window routes, validated.';

-- route_deviations_evaluate(p jsonb, home_ids text[], request_body text, api_key text, now timestamptz) → text
-- Handler of GET /deviations/evaluate?since=&until=[&now=][&rule_id=R-001,R-002]:
-- array of DeviationV1 for the caller's one home (home_ids[1]); since and
-- until required (22023), instants strict (22007); now: the query
-- argument, else the envelope's now.
CREATE OR REPLACE FUNCTION agingos.route_deviations_evaluate(p jsonb, home_ids text[], request_body text, api_key text, now timestamptz)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_rules text[];
	w CONSTANT record := agingos.agingos_http_window(p, route_deviations_evaluate.now);
BEGIN
	IF p ? 'rule_id' THEN
		v_rules := CASE WHEN p ->> 'rule_id' = '' THEN '{}'::text[] ELSE string_to_array(p ->> 'rule_id', ',') END;
	END IF;
	RETURN (SELECT coalesce(jsonb_agg(agingos.agingos_deviation_v1_json(e) ORDER BY e.rule_id), '[]')::text
			  FROM agingos.agingos_evaluate(w.since, w.until, w.now, home_ids[1], v_rules) e);
END
$$;
COMMENT ON FUNCTION agingos.route_deviations_evaluate(jsonb, text[], text, text, timestamptz) IS
'Handler of GET /deviations/evaluate (through route_call): agingos_evaluate over [since, until).';

-- route_deviations_persist(p jsonb, home_ids text[], request_body text, api_key text, now timestamptz) → text
-- Handler of POST /deviations/persist?since=&until=[&now=]: {"persisted": n}
-- for the caller's one home (agingos_persist, idempotent per rule and window).
CREATE OR REPLACE FUNCTION agingos.route_deviations_persist(p jsonb, home_ids text[], request_body text, api_key text, now timestamptz)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	w CONSTANT record := agingos.agingos_http_window(p, route_deviations_persist.now);
BEGIN
	RETURN jsonb_build_object('persisted', agingos.agingos_persist(w.since, w.until, w.now, home_ids[1]))::text;
END
$$;
COMMENT ON FUNCTION agingos.route_deviations_persist(jsonb, text[], text, text, timestamptz) IS
'Handler of POST /deviations/persist (through route_call): agingos_persist for the caller''s home.';

-- route_deviations(p jsonb, home_ids text[], request_body text, api_key text, now timestamptz) → text
-- Handler of GET /deviations?status=&subject_key=&rule_id=&limit=&home_id=:
-- the persisted deviations of homes.  Without status: active rows (OPEN,
-- ACK); status=OPEN|ACK|CLOSED|ALL (22023 otherwise).  Sorted severity desc
-- (HIGH > MEDIUM > LOW), then last_seen_at desc, then deviation_id desc;
-- limit default 100, max 1000.
CREATE OR REPLACE FUNCTION agingos.route_deviations(p jsonb, home_ids text[], request_body text, api_key text, now timestamptz)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	v_status CONSTANT text := upper(coalesce(p ->> 'status', 'ACTIVE'));
	v_limit integer;
BEGIN
	IF v_status NOT IN ('ACTIVE', 'OPEN', 'ACK', 'CLOSED', 'ALL') THEN
		RAISE EXCEPTION 'invalid query parameter "status"' USING ERRCODE = '22023',
			DETAIL = format('The value %s is not a status.', to_json(left(p ->> 'status', 32))),
			HINT = 'Use OPEN, ACK, CLOSED or ALL; leave it out for the active ones (OPEN and ACK).';
	END IF;
	v_limit := agingos.agingos_http_limit(p);
	RETURN (SELECT coalesce(jsonb_agg(agingos.agingos_deviation_json(d) ORDER BY
			CASE d.severity WHEN 'HIGH' THEN 3 WHEN 'MEDIUM' THEN 2 ELSE 1 END DESC,
			d.last_seen_at DESC, d.deviation_id DESC), '[]')::text
	  FROM (SELECT x.* FROM agingos.deviations x
			 WHERE x.home_id = ANY (home_ids)
			   AND CASE v_status WHEN 'ACTIVE' THEN x.status IN ('OPEN', 'ACK')
								 WHEN 'ALL' THEN true ELSE x.status = v_status END
			   AND (p ->> 'subject_key' IS NULL OR x.subject_key = p ->> 'subject_key')
			   AND (p ->> 'rule_id' IS NULL OR x.rule_id = p ->> 'rule_id')
			 ORDER BY CASE x.severity WHEN 'HIGH' THEN 3 WHEN 'MEDIUM' THEN 2 ELSE 1 END DESC,
					  x.last_seen_at DESC, x.deviation_id DESC
			 LIMIT v_limit) d);
END
$$;
COMMENT ON FUNCTION agingos.route_deviations(jsonb, text[], text, text, timestamptz) IS
'Handler of GET /deviations (through route_call): persisted deviations of the caller''s homes.';

-- route_deviation_patch(p jsonb, home_ids text[], request_body text, api_key text, now timestamptz) → text
-- Handler of PATCH /deviations/{deviation_id} body {"status":"ACK"} |
-- {"status":"CLOSED"}, optionally with "note": text (at most 1000
-- characters, kept in deviation_history with the actor key:<key_id>): the
-- updated deviation; 22023 other status / bad body / an unknown member
-- (named) / non-integer id, 22030 a member given twice (named), 22P02 a body
-- that is not JSON, 22P05 a string jsonb cannot hold (\u0000, a lone
-- surrogate); P0002 an id not in homes.  acked_at/closed_at = now.
CREATE OR REPLACE FUNCTION agingos.route_deviation_patch(p jsonb, home_ids text[], request_body text, api_key text, now timestamptz)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	j json;
	b jsonb;
	v_key text;
	v_id bigint;
	v_home text;
	d agingos.deviations;
BEGIN
	IF coalesce(p ->> 'deviation_id', '') !~ '^[0-9]{1,18}$' THEN
		RAISE EXCEPTION 'invalid deviation id in the path' USING ERRCODE = '22023',
			DETAIL = format(CASE WHEN coalesce(p ->> 'deviation_id', '') ~ '^[0-9]{19,}$'
								 THEN 'The value %s has more than 18 digits; no deviation_id is that large.'
								 ELSE 'The value %s is not a positive integer.' END,
							to_json(left(p ->> 'deviation_id', 32))),
			HINT = 'Use the integer deviation_id from GET /deviations, e.g. PATCH /deviations/42.';
	END IF;
	v_id := (p ->> 'deviation_id')::bigint;
	-- json keeps every member as written (so a duplicate can be named);
	-- jsonb cannot hold \u0000 or a lone surrogate, so convert first
	BEGIN
		j := request_body::json;
	EXCEPTION WHEN OTHERS THEN
		RAISE EXCEPTION 'request body is not valid JSON' USING ERRCODE = '22P02',
			HINT = 'Send {"status": "ACK"} or {"status": "CLOSED"} with Content-Type: application/json.';
	END;
	BEGIN
		b := j::jsonb;
	EXCEPTION WHEN OTHERS THEN
		RAISE EXCEPTION 'request body holds a string that cannot be stored' USING ERRCODE = '22P05',
			DETAIL = 'A string in the body (usually "note") holds \u0000 or a lone UTF-16 surrogate, which the database cannot store.',
			HINT = 'Remove the \u0000 or send the character itself instead of a lone surrogate escape, and send the request again.';
	END;
	IF jsonb_typeof(b) = 'object' THEN
		SELECT k INTO v_key FROM json_object_keys(j) k GROUP BY k HAVING count(*) > 1 LIMIT 1;
		IF v_key IS NOT NULL THEN
			RAISE EXCEPTION 'duplicate body member %', to_json(left(v_key, 64))::text USING ERRCODE = '22030',
				DETAIL = 'The member appears more than once in the body; which one was meant cannot be told.',
				HINT = 'Send each member once: {"status": "ACK"} or {"status": "CLOSED"}, optionally with "note": "text".';
		END IF;
		SELECT k INTO v_key FROM jsonb_object_keys(b) k WHERE k NOT IN ('status', 'note') LIMIT 1;
		IF v_key IS NOT NULL THEN
			RAISE EXCEPTION 'unknown body member %', to_json(left(v_key, 64))::text USING ERRCODE = '22023',
				DETAIL = 'The body may hold only "status" and "note".',
				HINT = 'Remove the member or correct its spelling: {"status": "ACK"} or {"status": "CLOSED"}, optionally with "note": "text".';
		END IF;
	END IF;
	IF b IS NULL OR jsonb_typeof(b) <> 'object'
	   OR jsonb_typeof(b -> 'status') IS DISTINCT FROM 'string' OR b ->> 'status' NOT IN ('ACK', 'CLOSED') THEN
		RAISE EXCEPTION 'invalid body member "status"' USING ERRCODE = '22023',
			DETAIL = 'The body must be {"status": "ACK"} or {"status": "CLOSED"}, optionally with "note": "text".',
			HINT = 'ACK acknowledges an open deviation; CLOSED closes it by hand.';
	END IF;
	IF b ? 'note' AND jsonb_typeof(b -> 'note') NOT IN ('string', 'null') THEN
		RAISE EXCEPTION 'invalid body member "note"' USING ERRCODE = '22023',
			DETAIL = format('The note is a JSON %s, not a string.', jsonb_typeof(b -> 'note')),
			HINT = 'Send the note as text, e.g. "note": "called her, all fine".';
	END IF;
	-- the deviation's home must be one of the caller's (row-level security
	-- hides the others as well); never say whether another home has the id
	SELECT x.home_id INTO v_home FROM agingos.deviations x WHERE x.home_id = ANY (home_ids) AND x.deviation_id = v_id;
	IF v_home IS NULL THEN
		RAISE EXCEPTION 'deviation % not found', v_id USING ERRCODE = 'P0002',
			DETAIL = 'None of this key''s homes has a deviation with this id.',
			HINT = 'List the deviations with GET /deviations?status=ALL.';
	END IF;
	IF b ->> 'status' = 'ACK' THEN
		d := agingos.agingos_ack(v_id, v_home, agingos.agingos_caller_actor(), b ->> 'note', route_deviation_patch.now);
	ELSE
		d := agingos.agingos_close(v_id, v_home, agingos.agingos_caller_actor(), b ->> 'note', route_deviation_patch.now);
	END IF;
	RETURN agingos.agingos_deviation_json(d)::text;
END
$$;
COMMENT ON FUNCTION agingos.route_deviation_patch(jsonb, text[], text, text, timestamptz) IS
'Handler of PATCH /deviations/{id} (through route_call): ACK or CLOSED with an optional note.';

-- route_rules(p jsonb, home_ids text[], request_body text, api_key text, now timestamptz) → text
-- Handler of GET /rules: array of {rule_id, title, description,
-- enabled_in_scheduler, config (the rule's effective entry for the
-- caller's one home: the config with the home's vocabulary overlaid),
-- vocabulary (agingos_home_vocabulary of the home, without home_id), truth
-- (agingos_rule_truth for the home at now)}.
CREATE OR REPLACE FUNCTION agingos.route_rules(p jsonb, home_ids text[], request_body text, api_key text, now timestamptz)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, agingos
AS $$
DECLARE
	cfg CONSTANT jsonb := agingos.agingos_home_config(home_ids[1]);
	voc CONSTANT jsonb := agingos.agingos_home_vocabulary(home_ids[1]) - 'home_id';
BEGIN
	RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object(
			'rule_id', r.rule_id, 'title', r.title, 'description', r.description,
			'enabled_in_scheduler', t.enabled_in_scheduler,
			'config', cfg -> 'rules' -> r.rule_id,
			'vocabulary', voc,
			'truth', jsonb_build_object('evaluation_truth', t.evaluation_truth, 'gating_reason', t.gating_reason,
										'days_with_data', t.days_with_data, 'min_days_required', t.min_days_required,
										'missing_sensor', t.missing_sensor))
			ORDER BY r.rule_id), '[]')::text
	  FROM agingos.agingos_rules() r
	  JOIN agingos.agingos_rule_truth(home_ids[1], route_rules.now) t ON t.rule_id = r.rule_id);
END
$$;
COMMENT ON FUNCTION agingos.route_rules(jsonb, text[], text, text, timestamptz) IS
'Handler of GET /rules (through route_call): the rules with effective config and truth for the caller''s home at now.';

-- route_health_detail(p jsonb, home_ids text[], request_body text, api_key text, now timestamptz) → text
-- Handler of GET /health/detail: agingos_health(the caller's home_ids).
-- docs/spec/contract.md §12: a key sees only its own homes (ingest lag,
-- counts); counts over every home only for a key that covers them all.
-- Today a key has one home (an admin key too); auth mode none: every home.
CREATE OR REPLACE FUNCTION agingos.route_health_detail(p jsonb, home_ids text[], request_body text, api_key text, now timestamptz)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, agingos
AS $$
	SELECT agingos.agingos_health(agingos.agingos_caller_homes())::text;
$$;
COMMENT ON FUNCTION agingos.route_health_detail(jsonb, text[], text, text, timestamptz) IS
'Handler of GET /health/detail (through route_call): agingos_health() of the caller''s homes.';
