#!/usr/bin/env bash
# scripts/demo.sh — make demo: make up, then three simulated homes (demo-1,
# demo-2, demo-3) live through 3 quiet days and a fourth day with one
# anomaly each, in the database's time warp (agingos-sim --mode db, one
# scheduler tick per 5 simulated minutes, the last one at the end of the
# period), then the active deviations: a psql query and GET /deviations,
# and the messages carers would have received (agingos-notify delivering to
# a local receiver, printed).
#
# The period ends at the wall clock (rounded down to 5 minutes), so the live
# system carries on from there.  Gated rules need 3 days of history, hence
# the quiet days.  The anomalies are placed so their deviations are still
# active at the end:
#   demo-1  R-002 the front door opened at night (23:00-06:00 local); when
#           no such night lies in the last 15 hours: R-011 out through the
#           front door 400 minutes before the end and not back (a door with
#           PIRs only cannot tell a fall in the hall from a departure, so the
#           shipped R-003 leaves it to R-011; docs/alarm-quality.md)
#   demo-2  R-004 100 minutes in the bathroom, from 150 minutes before the end
#   demo-3  R-008 the door opened and closed four times, 45 minutes before the end
# After the active deviations the demo says why each one is there: the
# injected anomaly, or (not injected) what in the simulated days caused it,
# e.g. R-001 while the simulated resident was out under a config whose R-001
# has no away_gate (the shipped one has it, docs/alarm-quality.md), or the
# same events as an injected anomaly (R-008's door burst at night is also
# R-002).
# DEMO_END=INSTANT ends the period there instead of at the wall clock (the
# same instant gives the same simulated days and deviations; tests use it).
. "$(dirname "$0")/lib.sh"
if [ -n "${DEMO_END:-}" ]; then
	end_s=$(date -u -d "$DEMO_END" +%s 2>/dev/null) || die "DEMO_END must be an instant such as 2026-12-06T22:55:00Z, not '$DEMO_END'"
	[ "$end_s" -le "$(date +%s)" ] || die "DEMO_END must not lie in the future ($DEMO_END)"
else
	end_s=$(date +%s)
fi
"$AG_ROOT/scripts/up.sh" || exit 1
BASE="http://127.0.0.1:$AGINGOS_HTTP_PORT"
RUN=$(run_dir)
Q() { psql_at "$RUN/sock" "$AGINGOS_PGPORT" agingos "$@"; }
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

end=$((end_s / 300 * 300))
night=$((end - 20 * 60))
hm=$(TZ=Europe/Oslo date -d "@$night" +%H%M)
if [ "$hm" -ge 2300 ] || [ "$hm" -lt 0600 ]; then
	first="R-002@$(iso "$night"):1"
else
	# 05:40 local of the end's date: the latest night instant before it
	night=$(TZ=Europe/Oslo date -d "$(TZ=Europe/Oslo date -d "@$end" +%F) 05:40" +%s)
	if [ $((end - night)) -le $((15 * 3600)) ]; then
		first="R-002@$(iso "$night"):1"
	else
		first="R-011@$(iso $((end - 400 * 60))):1"
	fi
fi
INJECT="$first,R-004@$(iso $((end - 150 * 60))):2,R-008@$(iso $((end - 45 * 60))):3"

echo
echo "== 3 homes, 4 simulated days ending now, one anomaly each: $INJECT"
HOMES=3 DAYS=4 SEED=1 MODE=db PREFIX=demo- START="$(iso $((end - 4 * 86400)))" INJECT="$INJECT" \
	"$AG_ROOT/scripts/sim.sh" || exit 1

echo
echo "== active deviations (psql)"
Q <<'SQL'
SELECT home_id, rule_id, severity, status, agingos_iso(started_at) AS started_at, title
FROM agingos.deviations
WHERE home_id LIKE 'demo-%' AND status IN ('OPEN', 'ACK')
ORDER BY home_id, array_position(ARRAY['HIGH', 'MEDIUM', 'LOW'], severity), rule_id;
SQL
# home:rule of each injection (":N" = home demo-N, default 1)
inj=$(for i in ${INJECT//,/ }; do h=1; [[ $i =~ :([0-9]+)$ ]] && h=${BASH_REMATCH[1]}; printf 'demo-%s:%s,' "$h" "${i%%@*}"; done)
echo "== why each active deviation is there"
Q -tA -v inj="{${inj%,}}" <<'SQL'
WITH inj AS (SELECT split_part(x, ':', 1) AS home_id, split_part(x, ':', 2) AS rule_id FROM unnest(:'inj'::text[]) x),
act AS (SELECT * FROM agingos.deviations WHERE home_id LIKE 'demo-%' AND status IN ('OPEN', 'ACK')),
tz AS (SELECT coalesce(agingos.agingos_config() ->> 'timezone', 'UTC') AS name)
SELECT format('%s %s %s: %s', a.home_id, a.rule_id, a.severity, CASE
	WHEN EXISTS (SELECT 1 FROM inj WHERE inj.home_id = a.home_id AND inj.rule_id = a.rule_id) THEN 'the injected anomaly'
	WHEN o.out_at IS NOT NULL THEN format(
		'not injected: the front door opened at %s and next at %s (%s) with no motion or presence in between (the hall aside, as the door closed): '
		'the simulated resident was out (an outing, docs/sim.md) and the loaded config gives this rule no away_gate '
		'(docs/alarm-quality.md), so %s reads the empty home as stillness', to_char(o.out_at AT TIME ZONE tz.name, 'HH24:MI'),
		coalesce(to_char(o.back_at AT TIME ZONE tz.name, 'HH24:MI'), 'not before the end'), tz.name, a.rule_id)
	WHEN s.rule_id IS NOT NULL THEN format('not injected: raised by the same events as the injected %s', s.rule_id)
	ELSE 'not injected: a deviation of the simulated normal days (docs/sim.md says which rules such days trigger)'
	END)
FROM act a CROSS JOIN tz
LEFT JOIN LATERAL (
	SELECT d1.ts AS out_at, d2.ts AS back_at
	FROM (SELECT max(e."timestamp") AS ts FROM agingos.events e
		   WHERE e.home_id = a.home_id AND e.category = 'door' AND e.payload ->> 'state' = 'open'
			 AND e."timestamp" <= a.window_since) d1,
		 LATERAL (SELECT min(e."timestamp") AS ts FROM agingos.events e
				   WHERE e.home_id = a.home_id AND e.category = 'door' AND e.payload ->> 'state' = 'open'
					 AND e."timestamp" > d1.ts + interval '5 minutes') d2
	WHERE a.rule_id IN ('R-001', 'R-005', 'R-006') AND d1.ts IS NOT NULL
	  AND (d2.ts IS NULL OR d2.ts >= a.window_until)
	  AND NOT EXISTS (SELECT 1 FROM agingos.events e
					   WHERE e.home_id = a.home_id AND e.category IN ('motion', 'presence') AND e.payload ->> 'state' = 'on'
						 AND e."timestamp" > d1.ts + interval '5 minutes' AND e."timestamp" < coalesce(d2.ts, a.window_until))
) o ON true
LEFT JOIN LATERAL (
	SELECT b.rule_id FROM act b JOIN inj ON inj.home_id = b.home_id AND inj.rule_id = b.rule_id
	 WHERE b.home_id = a.home_id AND b.rule_id <> a.rule_id
	   AND (b.evidence -> 'event_ids') ?| ARRAY(SELECT jsonb_array_elements_text(a.evidence -> 'event_ids'))
	 ORDER BY b.rule_id LIMIT 1
) s ON true
ORDER BY a.home_id, array_position(ARRAY['HIGH', 'MEDIUM', 'LOW'], a.severity), a.rule_id;
SQL
echo
echo "== GET $BASE/deviations"
if [ "$(db_auth_mode "$(run_dir)/sock" "$AGINGOS_PGPORT")" = api_key ]; then
	for h in demo-1 demo-2 demo-3; do
		key=$(echo "SELECT agingos.agingos_create_api_key(:'h', 'read')" | Q -tA -v h="$h")
		echo "-- $h (a read key for this home)"
		curl -sS -H "X-API-Key: $key" "$BASE/deviations" |
			jq -c '.[] | {rule_id, severity, status, started_at, title}'
	done
else
	echo "(auth is off: every caller is home \"default\", so the demo homes are not visible over HTTP;"
	echo " with AGINGOS_AUTH_MODE=api_key the demo asks with a read key per home)"
	curl -sS "$BASE/deviations" | jq -c '.[] | {home_id, rule_id, severity, status, started_at}'
fi

# What the carers would have received (docs/notifications.md): two contacts
# per demo home — a daughter on a webhook (level 0) and a neighbour through
# Apprise (level 1, told after notify.escalate_after_minutes without an ACK)
# — both pointing at a local receiver that prints each message.  The
# contacts are added now, so the active deviations reach them as late first
# messages (agingos_notify_due at the wall clock), and removed again after.
RPORT=${AGINGOS_DEMO_RECEIVER_PORT:-8025}
echo
echo "== what the carers would have received (agingos-notify -> local receiver on 127.0.0.1:$RPORT)"
if port_busy "$RPORT"; then
	echo "(port $RPORT is busy: set AGINGOS_DEMO_RECEIVER_PORT to a free port to see the messages)"
else
	RT=$(mktemp -d /tmp/agingos-demo-recv.XXXXXX)
	python3 "$AG_ROOT/test/notify_receiver.py" --port "$RPORT" --log "$RT/log" --print >"$RT/out" 2>/dev/null &
	rpid=$!
	for _ in $(seq 1 30); do port_busy "$RPORT" && break; sleep 0.1; done
	Q -tA -v rport="$RPORT" >/dev/null <<'SQL'
SELECT agingos.agingos_add_contact(h, 'Kari (daughter)', 'webhook', 'http://127.0.0.1:' || :'rport' || '/kari'),
	   agingos.agingos_add_contact(h, 'Ola (neighbour)', 'apprise', 'json://127.0.0.1:' || :'rport' || '/ola', 1)
  FROM unnest(ARRAY['demo-1', 'demo-2', 'demo-3']) h;
SELECT agingos.agingos_notify_due(h, now()) FROM unnest(ARRAY['demo-1', 'demo-2', 'demo-3']) h;
SQL
	for _ in $(seq 1 300); do
		left=$(Q -tA -c "SELECT count(*) FROM agingos.notifications n JOIN agingos.contacts c USING (home_id, contact_id)
			WHERE c.home_id LIKE 'demo-%' AND c.active AND n.status = 'pending'")
		[ "$left" = 0 ] && break
		sleep 0.1
	done
	[ "$left" = 0 ] || echo "($left messages still pending: is agingos-notify running? see .run/log/notify.log)"
	cat "$RT/out"
	Q -tA -c "SELECT count(agingos.agingos_remove_contact(contact_id)) FROM agingos.contacts WHERE home_id LIKE 'demo-%' AND active" >/dev/null
	kill "$rpid" 2>/dev/null; wait "$rpid" 2>/dev/null
	rm -rf "$RT"
	echo "(the demo contacts are removed again; add your own with agingos_add_contact, docs/notifications.md)"
fi
echo
if [ -n "${DEMO_END:-}" ]; then
	echo "agingos is up: $BASE  (make psql, make logs, make down).  The demo homes stopped sending at"
	echo "DEMO_END ($DEMO_END); a live scheduler tick now sees them quiet since then (R-009 after 75 minutes)."
else
	echo "agingos is up: $BASE  (make psql, make logs, make down).  The demo homes stop sending now;"
	echo "in 76 minutes R-009 (ingest stopped) reports each of them."
fi
