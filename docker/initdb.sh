#!/bin/bash
# Runs once, on the first start of the db container (docker-entrypoint-initdb.d):
# extensions, the roles of the HTTP front and the relay, search_path, the shipped config.
set -euo pipefail
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
     -v http_password="${AGINGOS_HTTP_PASSWORD:-agingos_http}" \
     -v notify_password="${AGINGOS_NOTIFY_PASSWORD:-agingos_notify}" -v cfg="$(cat /etc/agingos/rules.yaml)" <<'SQL'
ALTER DATABASE agingos SET search_path = agingos, public;
CREATE EXTENSION IF NOT EXISTS pg_cron;
CREATE SCHEMA IF NOT EXISTS partman;
CREATE EXTENSION IF NOT EXISTS pg_partman SCHEMA partman;
CREATE EXTENSION IF NOT EXISTS agingos;
DO $$ BEGIN PERFORM agingos.agingos_partition_maintenance(); END $$;
CREATE ROLE agingos_http LOGIN PASSWORD :'http_password' IN ROLE agingos_api;
CREATE ROLE agingos_notify LOGIN PASSWORD :'notify_password' IN ROLE agingos_relay;
SELECT agingos.agingos_load_config(:'cfg') IS NOT NULL AS config_loaded;
SQL
