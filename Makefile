# budget_exports: a PostgreSQL extension in C++17, built with PGXS.
#   make && make install && make installcheck
EXTENSION  = budget_exports
MODULE_big = budget_exports
DATA       = $(wildcard budget_exports--*.sql)
PGFILEDESC = "budget_exports - budget reports (PDF, CSV, Excel) rendered inside PostgreSQL"

CORE_SRCS  = $(shell find src/core -name '*.cpp' | sort)
PG_SRCS    = $(shell find src/pg -name '*.cpp' | sort)
# The module loaded into PostgreSQL never renders (the renderer program below does): it
# links neither the renderers nor libharu, libxlsxwriter and zlib.
RENDER_SRCS = $(filter src/core/render/csv/% src/core/render/xlsx/% src/core/render/pdf/% \
                       src/core/render/render.cpp,$(CORE_SRCS))
OBJS       = $(patsubst %.cpp,%.o,$(filter-out $(RENDER_SRCS),$(CORE_SRCS)) $(PG_SRCS))

PG_CPPFLAGS = -I$(srcdir)/src
PG_CXXFLAGS = -std=c++17 -Wno-register -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -MMD -MP
SHLIB_LINK  = -lcurl -lcrypto -lstdc++

# pg_regress suites (sql/NAME.sql + expected/NAME.out), run against an installed server.
# Every suite runs on its own throwaway server (--temp-instance), never on a live one.
REGRESS      = setup schema enqueue validation rls cleanup concurrency lifecycle coexist
REGRESS_OPTS = --temp-instance=tmp_check_regress --dbname=budget_exports_regress
# TAP suites (PostgreSQL::Test::Cluster) for what needs a preloaded worker or a restart
TAP_TESTS   = 1
PROVE_TESTS = test/t/*.pl
PROVE_FLAGS = --timer
EXTRA_CLEAN = tmp_check_regress results regression.diffs regression.out

# Debian's PGXS would also compile LLVM bitcode with clang for JIT inlining; our C++17
# sources gain nothing from it and clang may not even be installed.
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The renderer program the worker starts (src/render/, README "Operating it"): the pure
# core plus its own main, no PostgreSQL and no libcurl. PGXS builds one MODULE_big, so the
# program has its own rules; it is installed next to the module, in $(pkglibdir).
RENDERER      = budget_exports_renderer
RENDERER_OBJS = $(patsubst %.cpp,%.o,$(shell find src/render -name '*.cpp' | sort)) \
                $(patsubst %.cpp,%.o,$(filter-out src/core/storage/%,$(CORE_SRCS)))

all: $(RENDERER)

$(RENDERER): $(RENDERER_OBJS)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) -o $@ $^ -lxlsxwriter -lhpdf -lz -lstdc++

install: install-renderer
install-renderer: $(RENDERER) installdirs
	$(INSTALL_PROGRAM) $(RENDERER) '$(DESTDIR)$(pkglibdir)/$(RENDERER)'
uninstall: uninstall-renderer
uninstall-renderer:
	rm -f '$(DESTDIR)$(pkglibdir)/$(RENDERER)'
.PHONY: install-renderer uninstall-renderer

# rebuild objects whose headers changed (-MMD writes the .d files)
-include $(OBJS:.o=.d) $(RENDERER_OBJS:.o=.d)
EXTRA_CLEAN += $(OBJS:.o=.d) $(RENDERER) $(RENDERER_OBJS) $(RENDERER_OBJS:.o=.d)

# A throwaway cluster, a sample couple, one export of each type: see README "Demo".
# PG_CONFIG chooses the PostgreSQL version (make demo PG_CONFIG=/usr/lib/postgresql/17/bin/pg_config).
demo:
	PG_CONFIG="$(PG_CONFIG)" bash test/demo.sh
.PHONY: demo

# Worker latency and throughput figures (not a test; prints numbers): see README "Performance", docs/performance.md.
# The latency client both benchmarks run: an app's view, LISTEN for the export's NOTIFY.
NOTIFY_LATENCY = test/bench/notify_latency
$(NOTIFY_LATENCY): test/bench/notify_latency.c
	$(CC) -O2 -Wall -I'$(shell $(PG_CONFIG) --includedir)' -o $@ $< -L'$(shell $(PG_CONFIG) --libdir)' -lpq
EXTRA_CLEAN += $(NOTIFY_LATENCY)

# The file store's own rate, the floor under small exports (test/bench/store_floor.cpp):
# the worker's FileStore::put, linked on its own.
STORE_FLOOR = test/bench/store_floor
STORE_FLOOR_SRCS = test/bench/store_floor.cpp $(addprefix src/core/storage/,file_store.cpp object_key.cpp sha256.cpp)
$(STORE_FLOOR): $(STORE_FLOOR_SRCS)
	$(CXX) -O2 -std=c++17 -Wall -Wextra -I$(srcdir)/src -o $@ $(STORE_FLOOR_SRCS) -lcurl -lcrypto
EXTRA_CLEAN += $(STORE_FLOOR)

bench-worker: $(NOTIFY_LATENCY)
	$(MAKE) installcheck REGRESS= PROVE_TESTS=test/bench/worker_bench.pl PROVE_FLAGS=--verbose
.PHONY: bench-worker

# The queue's statements alone, one job per transaction against batches (about a minute).
bench-queue:
	$(MAKE) installcheck REGRESS= PROVE_TESTS=test/bench/queue_bench.pl PROVE_FLAGS=--verbose
.PHONY: bench-queue

# Each step of a small export alone (queue, read, render, file store), their sum against
# the real thing, in one run (test/bench/floors_bench.pl; docs/performance.md).
bench-floors: $(NOTIFY_LATENCY) $(STORE_FLOOR)
	$(MAKE) installcheck REGRESS= PROVE_TESTS=test/bench/floors_bench.pl PROVE_FLAGS=--verbose
.PHONY: bench-floors

# Every figure of issue #14 side by side with a COPY floor measured in the same run, and a
# chart (test/bench/out/figures.md, performance.png): see README "Performance", docs/performance.md. Takes
# minutes; prints figures, never fails on a slow machine. Needs gnuplot for the chart.
bench: $(NOTIFY_LATENCY) $(STORE_FLOOR)
	$(MAKE) installcheck REGRESS= PROVE_TESTS=test/bench/full_bench.pl PROVE_FLAGS=--verbose
.PHONY: bench
