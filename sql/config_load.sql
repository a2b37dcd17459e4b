-- config_load: agingos_load_config and agingos_config (rules.md section 6,
-- contract.md section 4).  Good documents first, then one case per error
-- class; every error must leave the previous configuration active.
-- The ERROR/DETAIL/HINT lines are part of the contract.
SET search_path = agingos, public;
\set VERBOSITY default
-- rows other tests may have left; removed again at the end
SELECT coalesce(max(version), 0) AS first_version FROM config \gset

-- case: no config loaded: agingos_config() shows the built-in schema defaults
SELECT count(*) AS rows_loaded FROM config WHERE version > :first_version;
SELECT jsonb_pretty(agingos_config());

-- case: a rules block naming one rule with nothing set means "all schema defaults"
SELECT agingos_config() AS builtin \gset
SELECT agingos_load_config('rules: {R-001: {}}') = :'builtin'::jsonb AS one_empty_rule_is_defaults,
	   agingos_config() = :'builtin'::jsonb AS active;
SELECT count(*) AS rows_loaded FROM config WHERE version > :first_version;

-- case: the shipped config/rules.yaml, verbatim
CREATE TEMP TABLE shipped (yaml text);
INSERT INTO shipped VALUES ($yaml$# agingos — shipped default config/rules.yaml
# Schema and semantics: docs/rules.md (§6). Every rule param is written out with its value.
# Rule-level lookback_minutes / expire_after_minutes are omitted where the rule inherits `defaults`.
# The R-005 / R-010 liveness_* overrides are left commented: without them the liveness gate
# follows R-009's own params (docs/rules.md §2.4, D9).
# Values such as "on" are quoted so that YAML 1.1 tools also read them as strings.

timezone: Europe/Oslo
locale: nb

ingest:
  max_future_minutes: 5

retention:
  events_days: 30
  deviations_days: 180
  bookkeeping_days: 7

scheduler:
  interval_minutes: 5
  default_subject_key: default

defaults:
  lookback_minutes: 60
  expire_after_minutes: 180

rules:
  R-001:
    enabled_in_scheduler: true
    lookback_minutes: 180
    expire_after_minutes: 360
    evaluation_mode: baseline_dependent
    requires_baseline: true
    requires_profile: false
    min_days_with_data: 3
    params:
      motion_categories: [presence, motion]
      payload_state_keys: [state, value]
      motion_on_value: "on"
      liveness_gate: true
      awake_gate: true
      timezone: Europe/Oslo
      awake_window:
        start_local_time: "07:00:00"
        end_local_time: "23:00:00"

  R-002:
    enabled_in_scheduler: true
    lookback_minutes: 240
    expire_after_minutes: 720
    evaluation_mode: profile_dependent
    requires_baseline: false
    requires_profile: true
    profile_mode: default_window
    uses_default_profile_when_missing: true
    params:
      category: door
      payload_state_keys: [state, value]
      trigger_value: [open, "on"]
      allowed_entity_ids:
        - binary_sensor.inngangsdor_contact
      timezone: Europe/Oslo
      night_window:
        start_local_time: "23:00:00"
        end_local_time: "06:00:00"

  R-003:
    enabled_in_scheduler: true
    lookback_minutes: 240
    expire_after_minutes: 720
    evaluation_mode: independent
    requires_baseline: false
    requires_profile: false
    params:
      door_category: door
      motion_categories: [motion]
      payload_state_keys: [state, value]
      door_name_keys: [door, name]
      required_door_name: front
      door_open_value: [open, "on"]
      motion_on_value: "on"
      followup_minutes: 10

  R-004:
    enabled_in_scheduler: true
    lookback_minutes: 300          # R-004 reads only [since, until): cover sensor_stuck_min + margin (docs/rules.md D28)
    evaluation_mode: independent
    requires_baseline: false
    requires_profile: false
    params:
      bathroom_room_id: baderom
      day_threshold_min: 45
      night_threshold_min: 25
      sensor_stuck_min: 240
      silence_after_min: 30
      night_start_hour: 22
      night_end_hour: 7
      tz: Europe/Oslo
      payload_state_keys: [state, value]
      activity_categories: [presence, motion]

  R-005:
    enabled_in_scheduler: true
    evaluation_mode: baseline_dependent
    requires_baseline: true
    requires_profile: false
    min_days_with_data: 3
    params:
      bathroom_room_id: baderom
      lookback_hours: 24
      # liveness_max_age_minutes: 75            # optional override; default = same as R-009 below (75)
      # liveness_categories: [ha_snapshot]      # optional override; default = same as R-009 below ([ha_snapshot])

  R-006:
    enabled_in_scheduler: true
    evaluation_mode: baseline_dependent
    requires_baseline: true
    requires_profile: false
    min_days_with_data: 3
    params:
      tz: Europe/Oslo
      day_start_hour: 8
      day_end_hour: 20
      living_room_id: stue
      front_door_room_id: inngang
      liveness_gate: true
      grace_minutes: 120

  R-007:
    enabled_in_scheduler: true
    evaluation_mode: baseline_dependent
    requires_baseline: true
    requires_profile: false
    min_days_with_data: 3
    params:
      tz: Europe/Oslo
      night_start_hour: 22
      night_end_hour: 7
      switch_gap_max_min: 10
      switch_threshold: 6
      front_door_room_id: inngang
      activity_categories: [presence, motion]

  R-008:
    enabled_in_scheduler: true
    evaluation_mode: independent
    requires_baseline: false
    requires_profile: false
    params:
      front_door_room_id: inngang
      lookback_minutes: 30
      burst_threshold: 6
      tz: Europe/Oslo
      night_start_hour: 22
      night_end_hour: 7
      quiet_after_minutes: 0
      quiet_categories: [presence, motion]

  R-009:
    enabled_in_scheduler: true
    evaluation_mode: independent
    requires_baseline: false
    requires_profile: false
    params:
      stream_id: prod
      liveness_categories: [ha_snapshot]
      max_age_minutes: 75

  R-010:
    enabled_in_scheduler: true
    evaluation_mode: independent
    requires_baseline: false
    requires_profile: false
    params:
      stuck_minutes: 240
      lookback_minutes: 300
      medium_rooms: [baderom, inngang]
      low_rooms: [stue, soverom]
      # liveness_max_age_minutes: 75            # optional override; default = same as R-009 above (75)
      # liveness_categories: [ha_snapshot]      # optional override; default = same as R-009 above ([ha_snapshot])
$yaml$);
SELECT agingos_load_config(yaml) = agingos_config() AS returned_is_active FROM shipped;
-- the new row is the active one and keeps the text as given
SELECT c.source = s.yaml AS source_kept, c.effective = agingos_config() AS effective_kept
  FROM config c, shipped s ORDER BY c.version DESC LIMIT 1;
-- top level and sections
SELECT cfg->'timezone' AS timezone, cfg->'locale' AS locale, cfg->'ingest' AS ingest,
	   cfg->'scheduler' AS scheduler, cfg->'defaults' AS defaults
  FROM agingos_config() cfg;
SELECT jsonb_pretty(agingos_config()->'retention');
-- every rule entry: the rules.md section 7 summary (rule lookback/expire resolved from defaults)
SELECT r.key AS rule, r.value->'enabled_in_scheduler' AS sched, r.value->'lookback_minutes' AS lookback,
	   r.value->'expire_after_minutes' AS expire, r.value->>'evaluation_mode' AS mode,
	   r.value->'requires_baseline' AS baseline, r.value->'requires_profile' AS profile,
	   r.value->'min_days_with_data' AS min_days, r.value->>'profile_mode' AS profile_mode,
	   r.value->'uses_default_profile_when_missing' AS default_profile,
	   coalesce(r.value->'params'->'timezone', r.value->'params'->'tz') AS zone
  FROM jsonb_each(agingos_config()->'rules') r ORDER BY r.key;
-- params: no liveness_* overrides shown for R-005 and R-010 (D9); R-009 as written
SELECT r.key AS rule, jsonb_pretty(r.value->'params') AS params
  FROM jsonb_each(agingos_config()->'rules') r
 WHERE r.key IN ('R-002', 'R-005', 'R-009', 'R-010') ORDER BY r.key;

-- case: scalars are typed by the schema, never by YAML: unquoted on/off/yes/no/null/~,
-- 23:00:00 and 010 in string fields are those strings; quoted numbers are numbers
SELECT agingos_load_config($yaml$
scheduler:
  default_subject_key: off
  interval_minutes: "15"
rules:
  R-001:
    params:
      motion_on_value: on
      payload_state_keys: [yes, no, null, ~]
  R-003:
    params:
      required_door_name: 23:00:00
      door_category: 010
      followup_minutes: '0010'
$yaml$) #> '{scheduler}' AS scheduler;
SELECT p.key, p.value FROM jsonb_each(agingos_config() #> '{rules,R-001,params}') p
 WHERE p.key IN ('motion_on_value', 'payload_state_keys')
UNION ALL
SELECT p.key, p.value FROM jsonb_each(agingos_config() #> '{rules,R-003,params}') p
 WHERE p.key IN ('required_door_name', 'door_category', 'followup_minutes')
 ORDER BY 1;

-- case: motion_category folds into motion_categories (shown without the alias) unless
-- motion_categories is also given; a string trigger_value/door_open_value becomes a list;
-- times come out as HH:MM:SS; FALSE is a bool in a bool field, True a string in a string field
SELECT jsonb_pretty((agingos_load_config($yaml$
rules:
  R-001:
    params:
      motion_category: presence
      awake_gate: FALSE
      awake_window: {start_local_time: "06:30"}
  R-002:
    params:
      trigger_value: on
      night_window:
        end_local_time: 05:15:30
  R-003:
    params:
      motion_category: presence
      motion_categories: [motion, pir]
      door_open_value: opened
      motion_on_value: True
$yaml$) -> 'rules') - '{R-004,R-005,R-006,R-007,R-008,R-009,R-010}'::text[]);

-- case: derived defaults: rule timezone/tz from the top-level timezone, rule lookback and
-- expire from defaults, requires_* from evaluation_mode unless given, R-010
-- params.lookback_minutes = stuck_minutes + 60; liveness_* shown only when set
SELECT agingos_load_config($yaml$
timezone: America/New_York
locale: en
defaults: {lookback_minutes: 30, expire_after_minutes: 90}
rules:
  R-001: {evaluation_mode: baseline_dependent, lookback_minutes: 15}
  R-002: {evaluation_mode: profile_dependent, requires_profile: false, expire_after_minutes: 5}
  R-004: {params: {tz: UTC}}
  R-005: {params: {liveness_max_age_minutes: 0, liveness_categories: [ha_snapshot]}}
  R-010: {params: {stuck_minutes: 100}}
$yaml$) -> 'locale' AS locale;
SELECT r.key AS rule, r.value->'lookback_minutes' AS lookback, r.value->'expire_after_minutes' AS expire,
	   r.value->>'evaluation_mode' AS mode, r.value->'requires_baseline' AS baseline,
	   r.value->'requires_profile' AS profile,
	   coalesce(r.value->'params'->'timezone', r.value->'params'->'tz') AS zone
  FROM jsonb_each(agingos_config()->'rules') r ORDER BY r.key;
SELECT agingos_config() #> '{rules,R-005,params}' AS r005, agingos_config() #> '{rules,R-010,params}' AS r010;

-- case: edge values that are valid: interval 1440 and 120, hour 0 and 23, empty
-- allowed_entity_ids and stream_id, zone names from pg_timezone_names such as UTC and EST5EDT
SELECT agingos_load_config($yaml$
timezone: UTC
scheduler: {interval_minutes: 1440}
rules:
  R-002: {params: {allowed_entity_ids: []}}
  R-006: {params: {day_start_hour: 0, day_end_hour: 23, tz: EST5EDT, grace_minutes: 0}}
  R-009: {params: {stream_id: , max_age_minutes: 0}}
$yaml$) #> '{scheduler,interval_minutes}' AS interval_minutes;
SELECT agingos_config() #> '{rules,R-002,params,allowed_entity_ids}' AS allowed,
	   agingos_config() #> '{rules,R-006,params}' AS r006,
	   agingos_config() #> '{rules,R-009,params,stream_id}' AS stream_id;
SELECT agingos_load_config('{scheduler: {interval_minutes: 120}, rules: {R-001: {}}}') #> '{scheduler,interval_minutes}' AS interval_minutes;

-- case: a file saved with a UTF-8 byte order mark and CRLF line ends loads
SELECT agingos_load_config(E'\xef\xbb\xbflocale: en\r\nrules:\r\n  R-003: {params: {followup_minutes: 5}}\r\n')
	   #> '{rules,R-003,params,followup_minutes}' AS followup_minutes;

-- From here on every load fails; remember the active config.
SELECT agingos_load_config(yaml) IS NOT NULL AS shipped_loaded FROM shipped;
CREATE TEMP TABLE before AS SELECT agingos_config() AS cfg, (SELECT max(version) FROM config) AS version;

-- case: unknown key at the top level, in a section, in a rule entry, in params
SELECT agingos_load_config(E'timezone: Europe/Oslo\nlanguage: nb\n');
SELECT agingos_load_config(E'retention:\n  events_day: 30\n');
SELECT agingos_load_config(E'rules:\n  R-001:\n    enabled: true\n');
SELECT agingos_load_config(E'rules:\n  R-004:\n    params:\n      night_start: 22\n');
-- case: a rule id other than R-001 ... R-010
SELECT agingos_load_config(E'rules:\n  R-011: {}\n');
SELECT agingos_load_config(E'rules:\n  r-001: {}\n');
-- case: a param of another rule, and the other timezone spelling
SELECT agingos_load_config(E'rules:\n  R-001:\n    params:\n      followup_minutes: 10\n');
SELECT agingos_load_config(E'rules:\n  R-004:\n    params:\n      timezone: Europe/Oslo\n');
SELECT agingos_load_config(E'rules:\n  R-002:\n    params:\n      tz: Europe/Oslo\n');

-- case: wrong types
SELECT agingos_load_config(E'rules:\n  R-003:\n    params:\n      followup_minutes: ten\n');
SELECT agingos_load_config(E'rules:\n  R-003:\n    params:\n      motion_categories: [motion, {room: hall}]\n');
SELECT agingos_load_config(E'rules:\n  R-003:\n    params:\n      motion_categories: motion\n');
SELECT agingos_load_config(E'rules:\n  R-002:\n    params:\n      category: [door]\n');
SELECT agingos_load_config(E'rules:\n  R-002:\n    params:\n      trigger_value: {open: true}\n');
SELECT agingos_load_config(E'rules:\n  R-001:\n    params:\n      awake_window: 07:00-23:00\n');
SELECT agingos_load_config(E'rules:\n  R-001:\n    params:\n');
SELECT agingos_load_config(E'rules:\n  R-001:\n');
SELECT agingos_load_config(E'defaults:\n  lookback_minutes: 1.5\n');
SELECT agingos_load_config(E'ingest:\n  max_future_minutes: [5]\n');
SELECT agingos_load_config(E'scheduler:\n  default_subject_key:\n');

-- case: out of range
SELECT agingos_load_config(E'rules:\n  R-004:\n    params:\n      night_end_hour: 24\n');
SELECT agingos_load_config(E'rules:\n  R-003:\n    params:\n      followup_minutes: 0\n');
SELECT agingos_load_config(E'rules:\n  R-005:\n    params:\n      liveness_max_age_minutes: -1\n');
SELECT agingos_load_config(E'retention:\n  events_days: 2147483648\n');

-- case: booleans are only true/True/TRUE/false/False/FALSE
SELECT agingos_load_config(E'rules:\n  R-001:\n    params:\n      liveness_gate: yes\n');
SELECT agingos_load_config(E'rules:\n  R-001:\n    enabled_in_scheduler: on\n');

-- case: time strings need two digits per field and a real time of day
SELECT agingos_load_config(E'rules:\n  R-002:\n    params:\n      night_window:\n        start_local_time: "6:00"\n');
SELECT agingos_load_config(E'rules:\n  R-001:\n    params:\n      awake_window: {end_local_time: "24:00"}\n');
SELECT agingos_load_config(E'rules:\n  R-001:\n    params:\n      awake_window: {end_local_time: 23:00:00.5}\n');

-- case: IANA names only: POSIX strings, offsets, posix/ and right/, Factory, wrong case
SELECT agingos_load_config(E'timezone: CET-1CEST\n');
SELECT agingos_load_config(E'timezone: "+01:00"\n');
SELECT agingos_load_config(E'timezone: posix/Europe/Oslo\n');
SELECT agingos_load_config(E'rules:\n  R-007:\n    params:\n      tz: right/Europe/Oslo\n');
SELECT agingos_load_config(E'timezone: Factory\n');
SELECT agingos_load_config(E'rules:\n  R-001:\n    params:\n      timezone: europe/oslo\n');

-- case: enum words
SELECT agingos_load_config(E'locale: no\n');
SELECT agingos_load_config(E'rules:\n  R-002:\n    profile_mode: default\n');

-- case: scheduler.interval_minutes must divide 60 or be a multiple of 60 dividing 1440
SELECT agingos_load_config(E'scheduler:\n  interval_minutes: 7\n');
SELECT agingos_load_config(E'scheduler:\n  interval_minutes: 90\n');
SELECT agingos_load_config(E'scheduler:\n  interval_minutes: 0\n');

-- case: empty windows (start = end), reported at the end field even when it is the default
SELECT agingos_load_config(E'rules:\n  R-002:\n    params:\n      night_window: {start_local_time: "06:00"}\n');
SELECT agingos_load_config(E'rules:\n  R-001:\n    params:\n      awake_window: {start_local_time: "08:00", end_local_time: "08:00:00"}\n');
SELECT agingos_load_config(E'rules:\n  R-004:\n    params:\n      night_start_hour: 7\n');
SELECT agingos_load_config(E'rules:\n  R-007:\n    params:\n      night_start_hour: 5\n      night_end_hour: 5\n');
SELECT agingos_load_config(E'rules:\n  R-008:\n    params:\n      night_end_hour: 22\n');

-- case: R-006 day_start_hour >= day_end_hour
SELECT agingos_load_config(E'rules:\n  R-006:\n    params:\n      day_start_hour: 20\n      day_end_hour: 8\n');
SELECT agingos_load_config(E'rules:\n  R-006:\n    params:\n      day_start_hour: 20\n');

-- case: R-010 params.lookback_minutes < stuck_minutes
SELECT agingos_load_config(E'rules:\n  R-010:\n    params:\n      stuck_minutes: 240\n      lookback_minutes: 239\n');

-- case: empty "non-empty" lists, reported at the list's own path; empty list elements
SELECT agingos_load_config(E'rules:\n  R-007:\n    params:\n      activity_categories: []\n');
SELECT agingos_load_config(E'rules:\n  R-002:\n    params:\n      trigger_value: []\n');
SELECT agingos_load_config(E'rules:\n  R-010:\n    params:\n      liveness_categories: []\n');
SELECT agingos_load_config(E'rules:\n  R-004:\n    params:\n      payload_state_keys:\n        - state\n        -\n');

-- case: duplicate keys
SELECT agingos_load_config(E'rules:\n  R-001:\n    enabled_in_scheduler: true\n    enabled_in_scheduler: false\n');
SELECT agingos_load_config(E'timezone: UTC\nlocale: en\ntimezone: UTC\n');

-- case: anchors, aliases, merge keys and explicit tags
SELECT agingos_load_config(E'defaults: &d\n  lookback_minutes: 60\nrules:\n  R-001:\n    lookback_minutes: *d\n');
SELECT agingos_load_config(E'rules:\n  R-001:\n    lookback_minutes: *d\n');
SELECT agingos_load_config(E'rules:\n  R-001:\n    <<: {enabled_in_scheduler: true}\n');
SELECT agingos_load_config(E'locale: !!str nb\n');
SELECT agingos_load_config(E'rules: !rules\n  R-001: {}\n');

-- case: the root must be a mapping; one document only; no complex keys
SELECT agingos_load_config(E'- timezone: UTC\n');
SELECT agingos_load_config(E'just text\n');
SELECT agingos_load_config(E'~\n');
SELECT agingos_load_config(E'locale: nb\n---\nlocale: en\n');
SELECT agingos_load_config(E'? [a, b]\n: c\n');

-- case: YAML syntax errors
SELECT agingos_load_config(E'rules:\n  R-001:\n    enabled_in_scheduler: true\n   lookback_minutes: 5\n');
SELECT agingos_load_config(E'rules:\n  R-002:\n    params:\n      trigger_value: [open, on\n');
SELECT agingos_load_config(E'locale: "nb\n');
SELECT agingos_load_config(E'timezone:\tUTC\n\tlocale: nb\n');

-- case: decision D31 (rules.md 6.9): a config without a non-empty rules mapping is
-- "rules: required": an empty document, a bare "---", only comments, {}, only
-- a timezone (an empty timezone: is its own error), other sections only, an
-- empty rules block, rules: {}; other problems
-- of such a file are reported first
SELECT agingos_load_config('');
SELECT agingos_load_config('---');
SELECT agingos_load_config(E'# nothing here\n# nor here\n');
SELECT agingos_load_config('{}');
SELECT agingos_load_config(E'timezone:\n');
SELECT agingos_load_config(E'timezone: Europe/Oslo\nscheduler: {interval_minutes: 5}\n');
SELECT agingos_load_config(E'timezone: Europe/Oslo\nrules:\n');
SELECT agingos_load_config(E'timezone: Europe/Oslo\nrules: {}\n');
SELECT agingos_load_config(E'timezone: Nowhere/City\n');

-- case: after all these errors nothing was stored and the previous config is still active
SELECT agingos_config() = b.cfg AS unchanged, (SELECT max(version) FROM config) = b.version AS no_new_row
  FROM before b;

-- case: the cache follows the table: a rolled-back load, a hand-deleted row
BEGIN;
SELECT agingos_load_config('{locale: en, rules: {R-001: {}}}') -> 'locale' AS inside_transaction;
SELECT agingos_config() -> 'locale' AS seen_in_transaction;
ROLLBACK;
SELECT agingos_config() = b.cfg AS back_after_rollback FROM before b;
SELECT agingos_load_config('{locale: en, rules: {R-001: {}}}') -> 'locale' AS loaded;
DELETE FROM config WHERE version = (SELECT max(version) FROM config);
SELECT agingos_config() = b.cfg AS previous_again FROM before b;

-- a row inserted by hand is re-parsed from its source when read; a source that no
-- longer loads is an error (its CONTEXT names the version, which varies: terse here)
-- (a stored source without rules, as 0.1.0 allowed, still reads: D31 applies to loading)
INSERT INTO config (source, effective) VALUES ('locale: en', '{}');
SELECT agingos_config() -> 'locale' AS hand_inserted;
INSERT INTO config (source, effective) VALUES ('locale: xx', '{}');
\set VERBOSITY terse
SELECT agingos_config();
\set VERBOSITY default
DELETE FROM config USING before b WHERE config.version > b.version;
SELECT agingos_config() = b.cfg AS previous_again FROM before b;

-- cleanup: drop this file's rows; the config active before it is active again
DELETE FROM config WHERE version > :first_version;
SELECT count(*) AS rows_loaded FROM config WHERE version > :first_version;
SELECT agingos_config() #> '{scheduler,interval_minutes}' AS interval_minutes;
DROP TABLE shipped, before;
