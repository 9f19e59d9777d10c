// PostgreSQL's headers, with C linkage, for the src/pg shell only. src/core never sees them.
#pragma once

extern "C" {
#include "postgres.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/elog.h"
#include "utils/memutils.h"
}
