/*
 * Latency of one export as an app that LISTENs sees it: from the moment the INSERT has
 * committed (PQexec returned) to the moment the worker's NOTIFY budget_exports '<export id>'
 * arrives. Prints one line per export, in ms; exits non-zero when an export did not complete.
 *
 *   notify_latency CONNINFO COUPLE_ID ROUNDS [FORMAT]
 *
 * Used by make bench-worker and make bench (test/bench/full_bench.pl, worker_bench.pl): the polling loop those also
 * run adds its own sleep granularity (pg_sleep(0.001) sleeps 1.06 ms or more).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include <libpq-fe.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

static int fail(PGconn* conn, const char* what) {
    fprintf(stderr, "notify_latency: %s: %s", what, PQerrorMessage(conn));
    PQfinish(conn);
    return 1;
}

/* Waits for NOTIFY budget_exports with this export's id; 0 when it came. */
static int wait_for(PGconn* conn, const char* export_id) {
    for (;;) {
        if (!PQconsumeInput(conn)) return -1;
        PGnotify* notify;
        int found = 0;
        while ((notify = PQnotifies(conn)) != NULL) {
            if (strcmp(notify->relname, "budget_exports") == 0 && strcmp(notify->extra, export_id) == 0) found = 1;
            PQfreemem(notify);
        }
        if (found) return 0;
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET(PQsocket(conn), &readable);
        struct timeval timeout = {60, 0};
        int ready = select(PQsocket(conn) + 1, &readable, NULL, NULL, &timeout);
        if (ready == 0) return -1; /* a minute without news */
        if (ready < 0 && errno != EINTR) return -1;
    }
}

int main(int argc, char** argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: notify_latency CONNINFO COUPLE_ID ROUNDS [FORMAT]\n");
        return 2;
    }
    const char* couple = argv[2];
    const int rounds = atoi(argv[3]);
    const char* format = argc > 4 ? argv[4] : "csv";
    PGconn* conn = PQconnectdb(argv[1]);
    if (PQstatus(conn) != CONNECTION_OK) return fail(conn, "connect");
    PGresult* result = PQexec(conn, "LISTEN budget_exports");
    if (PQresultStatus(result) != PGRES_COMMAND_OK) return fail(conn, "LISTEN");
    PQclear(result);
    for (int i = 0; i < rounds; i++) {
        const char* params[2] = {couple, format};
        result = PQexecParams(conn,
                              "INSERT INTO public.budget_exports (couple_id, export_type) VALUES ($1, $2) RETURNING id",
                              2, NULL, params, NULL, NULL, 0);
        const double committed = now_ms();
        if (PQresultStatus(result) != PGRES_TUPLES_OK) return fail(conn, "INSERT");
        char export_id[64];
        snprintf(export_id, sizeof export_id, "%s", PQgetvalue(result, 0, 0));
        PQclear(result);
        if (wait_for(conn, export_id) != 0) return fail(conn, "waiting for the NOTIFY");
        const double notified = now_ms();
        const char* id_param[1] = {export_id};
        result = PQexecParams(conn, "SELECT status FROM public.budget_exports WHERE id = $1", 1, NULL, id_param, NULL,
                              NULL, 0);
        if (PQresultStatus(result) != PGRES_TUPLES_OK || PQntuples(result) != 1 ||
            strcmp(PQgetvalue(result, 0, 0), "completed") != 0) {
            fprintf(stderr, "notify_latency: export %s did not complete\n", export_id);
            PQclear(result);
            PQfinish(conn);
            return 1;
        }
        PQclear(result);
        printf("%.3f\n", notified - committed);
    }
    PQfinish(conn);
    return 0;
}
