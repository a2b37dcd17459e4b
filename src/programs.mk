# src/programs.mk — the build of one agingos program (plain make, not PGXS:
# PGXS builds one product per Makefile; docs/spec/style.md section 3).
# Included by src/http, src/sim, src/notify and src/importer, whose Makefile
# sets, before the include:
#   PROGRAM    the binary's name, written to bin/ at the top of the tree
#   PKGS       pkg-config packages (cflags and libs), may be empty
#   PROG_FLAGS extra compiler flags (-D...), may be empty
#   PROG_LIBS  extra libraries after -lpq, may be empty
#   COMMON     the src/common/ units the program links (log utf8 envread cli)
# Every program links libpq; src/common/ objects are compiled into the
# program's own folder as common_<unit>.o, with the program's flags.
# Called from the top-level Makefile as $(MAKE) -C src/<program> PG_CONFIG=...

PG_CONFIG  ?= pg_config
COMMON_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))/common
BIN        := ../../bin/$(PROGRAM)

CC         ?= cc
CFLAGS     ?= -O2 -g
AG_CFLAGS  := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror $(PROG_FLAGS) \
              $(if $(PKGS),$(shell pkg-config --cflags $(PKGS))) \
              -I$(COMMON_DIR) -I$(shell $(PG_CONFIG) --includedir)
LDLIBS     := $(if $(PKGS),$(shell pkg-config --libs $(PKGS))) \
              -L$(shell $(PG_CONFIG) --libdir) -lpq $(PROG_LIBS)

SRCS := $(sort $(wildcard *.c))
OBJS := $(SRCS:.c=.o) $(COMMON:%=common_%.o)
HDRS := $(wildcard *.h) $(wildcard $(COMMON_DIR)/*.h)

all: $(BIN)

$(BIN): $(OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

%.o: %.c $(HDRS)
	$(CC) $(AG_CFLAGS) $(CFLAGS) -c -o $@ $<

common_%.o: $(COMMON_DIR)/%.c $(HDRS)
	$(CC) $(AG_CFLAGS) $(CFLAGS) -c -o $@ $<

clean:
	rm -f $(OBJS) common_*.o $(BIN)

.PHONY: all clean
