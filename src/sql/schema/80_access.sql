-- agingos install script, part 80: access control and audit (contract.md
-- section 12; docs/security.md).  Roles, reader homes, the audit log.

-- agingos_routes: owner of the HTTP route functions (agingos.http_*, SECURITY
-- DEFINER).  Not a superuser and without BYPASSRLS, so the row-level
-- security policies of every table holding a home's data apply to every
-- route: it sees only the homes agingos_auth has put in the caller context.
-- NOLOGIN and granted to nobody: the front's role cannot become it.
-- agingos_reader: group role of the LOGIN roles agingos_create_reader makes;
-- it may SELECT the home data of its members' homes (reader_homes).
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'agingos_routes') THEN
		CREATE ROLE agingos_routes NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT NOCREATEDB NOCREATEROLE;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'agingos_reader') THEN
		CREATE ROLE agingos_reader NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
	END IF;
END
$$;

-- reader_homes: the homes each reader role (agingos_create_reader) may read.
CREATE TABLE agingos.reader_homes (
	home_id		text NOT NULL REFERENCES agingos.homes (home_id),
	role_name	text NOT NULL,
	PRIMARY KEY (home_id, role_name)
);
CREATE INDEX reader_homes_role_idx ON agingos.reader_homes (role_name);
COMMENT ON TABLE agingos.reader_homes IS 'Homes each reader role may SELECT (agingos_create_reader, contract section 12).';

-- audit_log: key creation and revocation, reader creation, home export and
-- deletion: when, by whom (actor as in deviation_history), what.  home_id
-- is null for a deleted home's own record, which names the home only by
-- the SHA-256 of its id (subject), so no personal data outlives it.
-- Pruned after retention.audit_days.
CREATE TABLE agingos.audit_log (
	audit_id	bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	actor		text NOT NULL,
	action		text NOT NULL CHECK (action IN ('create_key', 'revoke_key', 'create_reader', 'export_home', 'delete_home')),
	home_id		text,
	key_id		bigint,
	subject		text,
	details		jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at_idx ON agingos.audit_log (at);
CREATE INDEX audit_log_home_idx ON agingos.audit_log (home_id);
COMMENT ON TABLE agingos.audit_log IS 'Who created or revoked keys and readers, exported or deleted a home, and when (docs/security.md).';

SELECT pg_catalog.pg_extension_config_dump('agingos.reader_homes', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.audit_log', '');
