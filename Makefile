# budget_exports: a PostgreSQL extension in C++17, built with PGXS.
#   make && make install && make installcheck
EXTENSION  = budget_exports
MODULE_big = budget_exports
DATA       = $(wildcard budget_exports--*.sql)
PGFILEDESC = "budget_exports - budget reports (PDF, CSV, Excel) rendered inside PostgreSQL"

CORE_SRCS  = $(shell find src/core -name '*.cpp' | sort)
PG_SRCS    = $(shell find src/pg -name '*.cpp' | sort)
OBJS       = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

PG_CPPFLAGS = -I$(srcdir)/src
PG_CXXFLAGS = -std=c++17 -Wno-register -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK  = -lxlsxwriter -lhpdf -lcurl -lstdc++

# pg_regress suites (sql/NAME.sql + expected/NAME.out), run against an installed server.
REGRESS      = setup schema enqueue validation rls cleanup lifecycle
REGRESS_OPTS = --dbname=budget_exports_regress

# Debian's PGXS would also compile LLVM bitcode with clang for JIT inlining; our C++17
# sources gain nothing from it and clang may not even be installed.
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)
