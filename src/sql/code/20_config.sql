
-- agingos install script, part 20: the rules configuration (rules.md
-- section 6, contract.md section 4).  C code: src/config*.c.

-- agingos_load_config(yaml text) → jsonb
-- Parses the text of config/rules.yaml with libyaml and validates it
-- strictly (unknown keys, duplicate keys, aliases, anchors, merge keys,
-- tags, wrong types, bounds, time zones, cross-field checks), stores it as
-- a new row of agingos.config (the new active version) and returns the
-- effective configuration, as agingos_config() shows it.
-- Errors: F0000 with errmsg "<full.path>: <problem>", errdetail naming the
-- value and its YAML line, errhint saying how to fix it; nothing is stored
-- and the previous configuration stays active.
CREATE OR REPLACE FUNCTION agingos.agingos_load_config(yaml text)
RETURNS jsonb
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_load_config';
COMMENT ON FUNCTION agingos.agingos_load_config(text) IS
'Validate a rules.yaml text strictly (rules.md section 6) and make it the active configuration; returns the effective configuration; any error raises F0000 and keeps the previous configuration.';

-- agingos_config() → jsonb
-- The active configuration (highest version in agingos.config, or the
-- built-in defaults when none was loaded): the YAML's structure with every
-- section, rule and param present with its effective value.  Reads the
-- backend's cached copy; it takes a fresh snapshot when the cache is
-- stale, so it is PARALLEL RESTRICTED.
CREATE OR REPLACE FUNCTION agingos.agingos_config()
RETURNS jsonb
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'agingos_config';
COMMENT ON FUNCTION agingos.agingos_config() IS
'The active configuration with effective values (defaults filled in, aliases folded, derived defaults resolved; rules.md section 6.1); built-in defaults when none was loaded.';

-- agingos_config_invalidate() → trigger
-- Statement trigger on agingos.config: every change of the table sends a
-- relcache invalidation, so each backend's cached configuration is re-read
-- (other backends see it at commit).  Covers hand-made changes too.
CREATE OR REPLACE FUNCTION agingos.agingos_config_invalidate()
RETURNS trigger
LANGUAGE C VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'agingos_config_invalidate';
COMMENT ON FUNCTION agingos.agingos_config_invalidate() IS
'Trigger function: invalidate every backend''s cached configuration after a change of agingos.config.';

CREATE OR REPLACE TRIGGER config_invalidate
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON agingos.config
	FOR EACH STATEMENT EXECUTE FUNCTION agingos.agingos_config_invalidate();
