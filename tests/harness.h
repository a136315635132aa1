#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

/*
 * Test harness: start tspsim / tsp-bridge as child processes on free loopback
 * ports, talk HTTP to them, stop them and check they exited cleanly.
 *
 * Binaries come from $TSPB_TSPSIM and $TSPB_BRIDGE (set by the Makefile);
 * $TSPB_VALGRIND, when set, is prepended to every child's command line so the
 * valgrind pass covers the servers too. $TSPB_SRCDIR is the repo root.
 */

#include <stddef.h>
#include <sys/types.h>

#include <check.h>

#include "strbuf.h"

struct proc {
	pid_t pid;
	int port;
	char dir[128];      /* private temp dir: port file and log */
	char log[192];
	char name[32];
};

/*
 * Starts `$env_var` (TSPB_TSPSIM or TSPB_BRIDGE) with `--port 0 --port-file F`
 * plus args (NULL-terminated), waits until it has written its port.
 * Returns 0, or -1 after printing the child's log.
 */
int proc_start(struct proc *p, const char *env_var, const char *const *args);
/* SIGTERM, wait; returns the exit status (0 = clean), or -1 if it had to be killed. */
int proc_stop(struct proc *p);
/* Kills without waiting for a clean exit (for "upstream is gone" tests). */
void proc_kill(struct proc *p);
void proc_dump_log(const struct proc *p);

/* Convenience for the common case. */
#define start_tspsim(p, ...) proc_start((p), "TSPB_TSPSIM", (const char *const[]){ __VA_ARGS__ })
#define start_bridge(p, ...) proc_start((p), "TSPB_BRIDGE", (const char *const[]){ __VA_ARGS__ })

/*
 * One HTTP exchange with libcurl; body may be NULL. Fills *status (0 on
 * transport failure) and `out` (cleared first). Returns 0 on a completed
 * exchange, -1 on transport failure.
 */
int http_do(const char *method, const char *url, const char *body,
	    long *status, struct strbuf *out);
int http_get(int port, const char *path, long *status, struct strbuf *out);
int http_post(int port, const char *path, const char *body, long *status, struct strbuf *out);

/* Path of a file under the repo ($TSPB_SRCDIR or "."); static buffer per call site. */
const char *src_path(char *buf, size_t len, const char *rel);
/* Reads a whole file; returns NULL on failure. free() it. */
char *read_file(const char *path, size_t *len);

/*
 * Runs `node <repo>/<script_rel> <args>` (args already quoted as needed),
 * its stdout and stderr into log. Returns its exit status, -1 if it did not exit.
 */
int run_node(const char *script_rel, const char *args, struct strbuf *log);

/* Whether the suite runs under valgrind (timeouts are then stretched). */
int under_valgrind(void);

/* A loopback port nothing listens on (bound, then closed). */
int free_port(void);

/* A "Vm...:" line of /proc/PID/status in KiB (e.g. "VmRSS", "VmHWM"); -1 if absent. */
long proc_status_kb(pid_t pid, const char *field);

/* Sets tspsim's faults (POST /_sim/faults on port), or clears them (DELETE) when json is NULL. */
void sim_set_faults(int port, const char *json);

/* Whether s[0..n) is valid UTF-8, by glibc's iconv: an oracle that is not the bridge's own. */
int utf8_valid_iconv(const char *s, size_t n);

struct cJSON;
/* Whether a frame / SimpleJSON series has a meta notice whose text contains needle. */
int has_notice(const struct cJSON *o, const char *needle);

/* JSON written with single quotes, as double quotes, in a buffer the caller frees. */
char *json_quotes(const char *s);

/*
 * One exchange with a bridge on port: fails the test unless the status is
 * want and the answer is JSON; the answer parsed (the caller frees it).
 */
struct cJSON *bridge_ask(int port, const char *method, const char *path, const char *body, long want);

#endif
