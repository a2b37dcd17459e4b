# agingos — PGXS build of the extension plus the HTTP front and the simulator.
# Targets for operators (demo, up, down, logs, psql, test, ...) are defined
# after the PGXS include and are thin wrappers around scripts/*.sh.

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
DATA         = $(sort $(wildcard src/sql/release/agingos--*.sql))
DATA_built   = agingos--$(EXTVERSION).sql $(patsubst src/sql/upgrade/%,agingos--%,$(SQL_UPGRADES))
PG_CPPFLAGS  = -Isrc -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare
SHLIB_LINK   = -lyaml
# setup runs first; every other sql/*.sql file in name order.
REGRESS      = setup $(filter-out setup,$(sort $(basename $(notdir $(wildcard sql/*.sql)))))
REGRESS_OPTS = --temp-instance=./tmp_check --temp-config=test/regress.conf \
               --load-extension=pg_cron --load-extension=agingos
EXTRA_CLEAN  = bin src/http/*.o src/sim/*.o src/notify/*.o
override with_llvm = no

PG_CONFIG   ?= /usr/lib/postgresql/15/bin/pg_config
PGXS        := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The install script: schema parts then code parts, each in name order.
agingos--$(EXTVERSION).sql: $(SQL_SCHEMA) $(SQL_CODE)
	cat $^ > $@

# An upgrade script: its DDL delta, then every code part again (CREATE OR REPLACE).
agingos--%--$(EXTVERSION).sql: src/sql/upgrade/%--$(EXTVERSION).sql $(SQL_CODE)
	cat $^ > $@

all: http notify sim-build

http:
	$(MAKE) -C src/http PG_CONFIG=$(PG_CONFIG)

# agingos-notify, the relay of carer notifications (docs/notifications.md)
notify:
	$(MAKE) -C src/notify PG_CONFIG=$(PG_CONFIG)

sim-build:
	@if [ -f src/sim/Makefile ]; then $(MAKE) -C src/sim PG_CONFIG=$(PG_CONFIG); fi

# build, then simulate on the running `make up` system (docs/sim.md)
HOMES ?= 3
DAYS  ?= 1
SEED  ?= 1
MODE  ?= db
sim: sim-build
	@HOMES="$(HOMES)" DAYS="$(DAYS)" SEED="$(SEED)" MODE="$(MODE)" scripts/sim.sh

.PHONY: http notify sim sim-build deps up down logs psql demo test e2e scenario scenario-reset reload-config bench format format-check longrun longrun-fast

deps:
	@scripts/deps.sh

up:
	@scripts/up.sh

down:
	@scripts/down.sh

logs:
	@scripts/logs.sh

psql:
	@scripts/psql.sh

scenario-reset:
	@scripts/psql.sh -c "SELECT agingos.agingos_reset();"

reload-config:
	@scripts/reload_config.sh

scenario:
	@scripts/scenario.sh

demo:
	@scripts/demo.sh

test:
	@scripts/test.sh

bench:
	@scripts/bench.sh

# the longrun runbook (docs/ops/longrun.md): HOURS, HOMES, RATE, MODE=A|B, DAYS, …
longrun:
	@scripts/longrun.sh

longrun-fast:
	@scripts/longrun.sh --fast

format:
	clang-format -i $(wildcard src/*.c src/*.h src/rules/*.c src/rules/*.h src/http/*.c src/http/*.h src/sim/*.c src/sim/*.h src/notify/*.c src/notify/*.h)

format-check:
	clang-format --dry-run --Werror $(wildcard src/*.c src/*.h src/rules/*.c src/rules/*.h src/http/*.c src/http/*.h src/sim/*.c src/sim/*.h src/notify/*.c src/notify/*.h)
