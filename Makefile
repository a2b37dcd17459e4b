# agingos — PGXS build of the extension plus its programs (agingos-http,
# agingos-sim, agingos-notify, agingos-import-ha; src/programs.mk).
#   make                the extension and the programs (the default goal)
#   make install        the extension only: needs PostgreSQL's server headers and
#                       libyaml, never libmicrohttpd or libcurl
#   make programs       the programs only, into bin/
#   make installcheck   pg_regress over sql/*.sql on a temporary instance (PGXS)
# Targets for operators (demo, up, down, logs, psql, test, ...) are defined
# after the PGXS include and are thin wrappers around scripts/*.sh.

# `make` alone builds everything; PGXS's own `all` (and so `install`) is the
# extension alone.
.DEFAULT_GOAL := everything

EXTENSION    = agingos
EXTVERSION   = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" agingos.control)
MODULE_big   = agingos
OBJS         = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c src/rules/*.c)))
# Release scripts: the frozen install scripts of earlier releases (src/sql/release/),
# the current install script and one upgrade script per earlier release (built).
# Install   = src/sql/schema/*.sql (tables, run once) + src/sql/code/*.sql (idempotent).
# Upgrade   = src/sql/upgrade/<old>--<new>.sql (the DDL delta) + src/sql/code/*.sql.
SQL_SCHEMA   = $(sort $(wildcard src/sql/schema/*.sql))
SQL_CODE     = $(sort $(wildcard src/sql/code/*.sql))
SQL_UPGRADES = $(sort $(wildcard src/sql/upgrade/*--$(EXTVERSION).sql))
# Every frozen script in src/sql/release/ ships: agingos--<v>.sql and, once a
# release is frozen with its upgrade, agingos--<old>--<new>.sql too.
DATA         = $(sort $(wildcard src/sql/release/agingos--*.sql))
DATA_built   = agingos--$(EXTVERSION).sql $(patsubst src/sql/upgrade/%,agingos--%,$(SQL_UPGRADES))
PG_CPPFLAGS  = -Isrc -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare
SHLIB_LINK   = -lyaml
# make installcheck: setup runs first (it also creates the schema
# regress_helpers used by the rule tests); every other sql/*.sql file in name
# order, on a temporary instance with pg_cron preloaded (test/regress.conf).
# setup creates pg_partman (in schema partman, which --load-extension cannot
# name) and agingos.
REGRESS      = setup $(filter-out setup,$(sort $(basename $(notdir $(wildcard sql/*.sql)))))
REGRESS_OPTS = --temp-instance=./tmp_check --temp-config=test/regress.conf \
               --load-extension=pg_cron
EXTRA_CLEAN  = bin src/http/*.o src/sim/*.o src/notify/*.o src/importer/*.o
override with_llvm = no

PG_CONFIG   ?= pg_config
PGXS        := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies: rebuild every object when a header changes.
$(OBJS): $(wildcard src/*.h src/rules/*.h)

# The install script: schema parts then code parts, each in name order.
agingos--$(EXTVERSION).sql: $(SQL_SCHEMA) $(SQL_CODE)
	cat $^ > $@

# An upgrade script: its DDL delta, then every code part again (CREATE OR REPLACE).
agingos--%--$(EXTVERSION).sql: src/sql/upgrade/%--$(EXTVERSION).sql $(SQL_CODE)
	cat $^ > $@

everything: all programs

# the programs, each with its own Makefile on src/programs.mk
programs: http notify sim-build importer

http:
	$(MAKE) -C src/http PG_CONFIG=$(PG_CONFIG)

# agingos-notify, the relay of carer notifications (docs/notifications.md)
notify:
	$(MAKE) -C src/notify PG_CONFIG=$(PG_CONFIG)

importer:
	$(MAKE) -C src/importer PG_CONFIG=$(PG_CONFIG)

sim-build:
	@if [ -f src/sim/Makefile ]; then $(MAKE) -C src/sim PG_CONFIG=$(PG_CONFIG); fi

# build, then simulate on the running `make up` system (docs/sim.md)
HOMES ?= 3
DAYS  ?= 1
SEED  ?= 1
MODE  ?= db
sim: sim-build
	@HOMES="$(HOMES)" DAYS="$(DAYS)" SEED="$(SEED)" MODE="$(MODE)" scripts/sim.sh

ALARM_QUALITY_ENV ?=

.PHONY: everything programs alarm-quality alarm-quality-independent http notify importer import-ha backtest sim sim-build deps up down logs psql status demo test e2e scenario scenario-reset reload-config bench format format-check longrun longrun-fast backup restore fuzz

deps:
	@scripts/deps.sh

# Home Assistant onboarding (docs/home-assistant.md, contract.md 13):
# make import-ha FILE=history.csv MAP=entities.yaml HOME=<home_id>
# make backtest HOME=<home_id> [SINCE= UNTIL=] [CONFIG=rules.yaml]
# HOME= names the home only when given on the command line (else it is the login's $HOME);
# the scripts get the login's home directory back as HOME (libpq reads ~/.pgpass).
HOME_ARG  = $(if $(filter command line,$(origin HOME)),$(HOME))
LOGIN_HOME = HOME="$$(getent passwd "$$(id -un)" | cut -d: -f6)"
import-ha: importer
	@$(LOGIN_HOME) FILE="$(FILE)" MAP="$(MAP)" HOME_ID="$(HOME_ARG)" scripts/import_ha.sh

backtest:
	@$(LOGIN_HOME) HOME_ID="$(HOME_ARG)" SINCE="$(SINCE)" UNTIL="$(UNTIL)" CONFIG="$(CONFIG)" scripts/backtest.sh

up:
	@scripts/up.sh

down:
	@scripts/down.sh

logs:
	@scripts/logs.sh

psql:
	@scripts/psql.sh

# a terminal summary of the running make up system (docs/ops/monitoring.md)
status:
	@scripts/status.sh

scenario-reset:
	@scripts/psql.sh -c "SELECT agingos.agingos_reset();"

reload-config:
	@scripts/reload_config.sh

scenario:
	@test/tools/scenario.sh

demo:
	@scripts/demo.sh

# backup of the make-up cluster (roles + pg_dump; docs/security.md)
backup:
	@scripts/backup.sh

restore:
	@scripts/restore.sh

# libFuzzer targets (test/fuzz/; docs/security.md): FUZZ_SECONDS per target
FUZZ_SECONDS ?= 60
fuzz:
	@FUZZ_SECONDS="$(FUZZ_SECONDS)" test/tools/fuzz.sh

test:
	@test/tools/test.sh

bench:
	@test/bench/bench.sh

# false alarms on normal lives and detection of injected anomalies (docs/alarm-quality.md)
alarm-quality: sim-build
	@test/tools/alarm_quality.sh

# the same measurement on lives modelled independently of agingos-sim (docs/alarm-quality.md section 10)
alarm-quality-independent:
	@test/tools/alarm_quality_independent.sh

# the longrun runbook (docs/ops/longrun.md): HOURS, HOMES, RATE, MODE=A|B, DAYS, …
longrun:
	@test/longrun/longrun.sh

longrun-fast:
	@test/longrun/longrun.sh --fast

format:
	clang-format -i $(wildcard src/*.c src/*.h src/rules/*.c src/rules/*.h src/common/*.c src/common/*.h src/http/*.c src/http/*.h src/sim/*.c src/sim/*.h src/notify/*.c src/notify/*.h src/importer/*.c src/importer/*.h)

format-check:
	clang-format --dry-run --Werror $(wildcard src/*.c src/*.h src/rules/*.c src/rules/*.h src/common/*.c src/common/*.h src/http/*.c src/http/*.h src/sim/*.c src/sim/*.h src/notify/*.c src/notify/*.h src/importer/*.c src/importer/*.h)

# the service install beside the developer stack (docs/ops/deploy.md; root)
install-service: all programs
	@scripts/install_service.sh

uninstall-service:
	@scripts/uninstall_service.sh

service-status:
	@scripts/agingos-status

.PHONY: install-service uninstall-service service-status
