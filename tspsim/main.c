/*
 * tspsim: a Trace Server Protocol simulator serving a deterministic synthetic
 * kernel workload, with fault injection, for tsp-bridge's tests and demos.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_server.h"

#ifndef TSPB_VERSION
#define TSPB_VERSION "0.0.0"
#endif

static void usage(FILE *f)
{
	fprintf(f,
"usage: tspsim [options]\n"
"\n"
"Serves the Trace Server Protocol (TSP 0.6.0) under http://ADDR:PORT/tsp/api over a\n"
"deterministic synthetic Linux kernel workload: one trace and one experiment named\n"
"\"kernel\" exist at start-up. Same options, same answers, byte for byte.\n"
"\n"
"Server:\n"
"  --listen ADDR        IPv4 or IPv6 address to listen on (default 127.0.0.1)\n"
"  --port N             port, 0 = any free port (default 8080)\n"
"  --port-file PATH     once listening, write the bound port and a newline there\n"
"  --max-connections N  concurrent connections, one thread each (default 1024)\n"
"  --quiet              no log line per request on stderr\n"
"  --help, --version\n"
"\n"
"Workload (each trace's is derived from these and from its name):\n"
"  --seed N             PRNG seed (default 1)\n"
"  --cpus N             CPUs (default 4)\n"
"  --threads N          threads, about 3 per process (default 24)\n"
"  --duration-ms N      trace duration (default 10000)\n"
"  --events N           approximate number of events (default 20000)\n"
"\n"
"Analyses:\n"
"  --running-polls K    the first K data requests of each experiment+output answer\n"
"                       status RUNNING with a partial model, then COMPLETED (default 2).\n"
"                       Data requests: XY and genericXY tree/xy, timeGraph\n"
"                       tree/states/arrows/tooltip, table lines, data tree,\n"
"                       POST annotations (styles, columns,\n"
"                       marker sets and annotation categories are always COMPLETED)\n"
"\n"
"Faults (for TSP paths; also settable at run time, see below):\n"
"  --latency-ms N       delay every answer by N ms\n"
"  --fail-500           answer HTTP 500 with an ErrorResponse body\n"
"  --malformed-json     replace the answer's body with text that is not JSON\n"
"  --drop-connection    close the connection without answering\n"
"  --running-forever    data endpoints stay RUNNING\n"
"  --analysis-failed    data endpoints answer status FAILED (model null)\n"
"  --truncate           send the real answer's body cut in half\n"
"  --bad-experiments    GET /experiments also lists two malformed experiments\n"
"  --style-status N     answer /style with HTTP status N (older servers: 404, 405)\n"
"  --inline-color C     SYSCALL states carry colour C in their own style (flame-chart style)\n"
"  --bad-utf8           trees name \"nginx\" with an invalid UTF-8 byte and a \\u0000\n"
"  --junk-kb N          object answers carry an unread member of N KiB of numbers\n"
"  --fault-path SUBSTR  faults only for request paths (with /tsp/api) containing SUBSTR\n"
"\n"
"Control endpoints (outside /tsp/api, never faulty):\n"
"  GET    /_sim/faults  current faults as JSON\n"
"  POST   /_sim/faults  change some: {\"latency_ms\":N, \"http_500\":bool,\n"
"                       \"malformed_json\":bool, \"drop_connection\":bool,\n"
"                       \"running_forever\":bool, \"analysis_failed\":bool,\n"
"                       \"truncate\":bool, \"bad_experiments\":bool,\n"
"                       \"style_status\":N, \"inline_color\":\"#rrggbb\",\n"
"                       \"bad_utf8\":bool, \"junk_kb\":N,\n"
"                       \"path_filter\":\"s\"}\n"
"  DELETE /_sim/faults  clear all faults\n"
"  POST   /_sim/reset   restart every RUNNING counter\n"
"\n"
"Outputs of every experiment: CPU Usage (TREE_TIME_XY), Thread Status (TIME_GRAPH),\n"
"Events Table (TABLE), Statistics (DATA_TREE), Histogram (TREE_TIME_XY, events per\n"
"sample); marker set \"frames\".\n"
"requested_timerange.nbTimes must be 1..65536 (400 otherwise); absent means 400 samples.\n"
"SIGINT/SIGTERM stop it cleanly (exit status 0).\n");
}

static int parse_int(const char *flag, const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "tspsim: %s: '%s' is not an integer in %" PRId64 "..%" PRId64 "\n",
			flag, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

/* Writes the port through a temporary file so readers never see half of it. */
static int write_port_file(const char *path, int port)
{
	char tmp[PATH_MAX];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%d\n", port);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

struct opts {
	struct sim_config cfg;
	const char *port_file;
};

/* An option without a value (but --help and --version). */
static void set_flag(struct sim_config *c, const char *name)
{
	if (!strcmp(name, "--quiet"))
		c->quiet = 1;
	else if (!strcmp(name, "--fail-500"))
		c->faults.http_500 = 1;
	else if (!strcmp(name, "--malformed-json"))
		c->faults.malformed_json = 1;
	else if (!strcmp(name, "--drop-connection"))
		c->faults.drop_connection = 1;
	else if (!strcmp(name, "--running-forever"))
		c->faults.running_forever = 1;
	else if (!strcmp(name, "--analysis-failed"))
		c->faults.analysis_failed = 1;
	else if (!strcmp(name, "--truncate"))
		c->faults.truncate = 1;
	else if (!strcmp(name, "--bad-experiments"))
		c->faults.bad_experiments = 1;
	else if (!strcmp(name, "--bad-utf8"))
		c->faults.bad_utf8 = 1;
}

/* An option with its value; -1 once it said what is wrong with it. */
static int set_value(struct opts *o, const char *name, const char *val)
{
	struct sim_config *c = &o->cfg;
	int64_t v;

	if (!strcmp(name, "--listen")) {
		c->listen = val;
	} else if (!strcmp(name, "--port-file")) {
		o->port_file = val;
	} else if (!strcmp(name, "--fault-path")) {
		if (strlen(val) >= sizeof(c->faults.path_filter)) {
			fprintf(stderr, "tspsim: --fault-path is too long\n");
			return -1;
		}
		snprintf(c->faults.path_filter, sizeof(c->faults.path_filter), "%s", val);
	} else if (!strcmp(name, "--port")) {
		if (parse_int(name, val, 0, 65535, &v) < 0)
			return -1;
		c->port = (int)v;
	} else if (!strcmp(name, "--max-connections")) {
		if (parse_int(name, val, 1, 100000, &v) < 0)
			return -1;
		c->max_connections = (unsigned)v;
	} else if (!strcmp(name, "--seed")) {
		if (parse_int(name, val, 0, INT64_MAX, &v) < 0)
			return -1;
		c->wl.seed = (uint64_t)v;
	} else if (!strcmp(name, "--cpus")) {
		if (parse_int(name, val, 1, 4096, &v) < 0)
			return -1;
		c->wl.cpus = (int)v;
	} else if (!strcmp(name, "--threads")) {
		if (parse_int(name, val, 1, 1000000, &v) < 0)
			return -1;
		c->wl.threads = (int)v;
	} else if (!strcmp(name, "--duration-ms")) {
		if (parse_int(name, val, 1, INT64_C(1000000000), &v) < 0)
			return -1;
		c->wl.duration_ns = v * 1000000;
	} else if (!strcmp(name, "--events")) {
		if (parse_int(name, val, 1, INT64_C(200000000), &v) < 0)
			return -1;
		c->wl.events = v;
	} else if (!strcmp(name, "--running-polls")) {
		if (parse_int(name, val, 0, 1000000, &v) < 0)
			return -1;
		c->running_polls = (int)v;
	} else if (!strcmp(name, "--latency-ms")) {
		if (parse_int(name, val, 0, 3600000, &v) < 0)
			return -1;
		c->faults.latency_ms = v;
	} else if (!strcmp(name, "--junk-kb")) {
		if (parse_int(name, val, 0, 1024 * 1024, &v) < 0)
			return -1;
		c->faults.junk_kb = v;
	} else if (!strcmp(name, "--style-status")) {
		if (parse_int(name, val, 400, 599, &v) < 0)
			return -1;
		c->faults.style_status = (int)v;
	} else if (!strcmp(name, "--inline-color")) {
		if (strlen(val) >= sizeof(c->faults.inline_color)) {
			fprintf(stderr, "tspsim: --inline-color is too long\n");
			return -1;
		}
		snprintf(c->faults.inline_color, sizeof(c->faults.inline_color), "%s", val);
	}
	return 0;
}

/* 0 = run, 1 = exit 0 (help/version), -1 = usage error. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct {
		const char *name;
		int has_arg;
	} known[] = {
		{ "--listen", 1 }, { "--port", 1 }, { "--port-file", 1 }, { "--max-connections", 1 },
		{ "--quiet", 0 }, { "--help", 0 }, { "--version", 0 }, { "--seed", 1 },
		{ "--cpus", 1 }, { "--threads", 1 }, { "--duration-ms", 1 }, { "--events", 1 },
		{ "--running-polls", 1 }, { "--latency-ms", 1 }, { "--fail-500", 0 },
		{ "--malformed-json", 0 }, { "--drop-connection", 0 }, { "--running-forever", 0 },
		{ "--analysis-failed", 0 },
		{ "--truncate", 0 }, { "--fault-path", 1 }, { "--bad-experiments", 0 },
		{ "--style-status", 1 }, { "--inline-color", 1 }, { "--bad-utf8", 0 },
		{ "--junk-kb", 1 },
	};
	int i;

	for (i = 1; i < argc; i++) {
		char name[64];
		const char *arg = argv[i], *val = NULL, *eq = strchr(arg, '=');
		size_t k, nlen = eq ? (size_t)(eq - arg) : strlen(arg);

		if (nlen >= sizeof(name))
			nlen = sizeof(name) - 1;
		memcpy(name, arg, nlen);
		name[nlen] = '\0';
		for (k = 0; k < sizeof(known) / sizeof(known[0]) && strcmp(known[k].name, name); k++)
			;
		if (k == sizeof(known) / sizeof(known[0])) {
			fprintf(stderr, "tspsim: unknown option '%s' (see --help)\n", arg);
			return -1;
		}
		if (known[k].has_arg) {
			val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
			if (!val) {
				fprintf(stderr, "tspsim: %s needs a value\n", name);
				return -1;
			}
		} else if (eq) {
			fprintf(stderr, "tspsim: %s takes no value\n", name);
			return -1;
		}

		if (!strcmp(name, "--help")) {
			usage(stdout);
			return 1;
		}
		if (!strcmp(name, "--version")) {
			printf("tspsim %s (TSP 0.6.0)\n", TSPB_VERSION);
			return 1;
		}
		if (!known[k].has_arg)
			set_flag(&o->cfg, name);
		else if (set_value(o, name, val) < 0)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct sim_server *s;
	sigset_t set;
	char err[256];
	int sig, rc;

	memset(&o, 0, sizeof(o));
	o.cfg.listen = "127.0.0.1";
	o.cfg.port = 8080;
	o.cfg.running_polls = 2;
	o.cfg.max_connections = 1024;
	wl_params_default(&o.cfg.wl);
	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc > 0 ? 0 : 2;

	/* Blocked before any thread exists, so only sigwait() below sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	s = sim_server_start(&o.cfg, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "tspsim: %s\n", err);
		return 1;
	}
	if (o.port_file && write_port_file(o.port_file, sim_server_port(s)) < 0) {
		fprintf(stderr, "tspsim: cannot write port file %s: %s\n", o.port_file, strerror(errno));
		sim_server_stop(s);
		return 1;
	}
	if (!o.cfg.quiet)
		fprintf(stderr, "tspsim: serving TSP on http://%s%s%s:%d/tsp/api\n",
			strchr(o.cfg.listen, ':') ? "[" : "", o.cfg.listen,
			strchr(o.cfg.listen, ':') ? "]" : "", sim_server_port(s));
	while (sigwait(&set, &sig) != 0)
		;
	if (!o.cfg.quiet)
		fprintf(stderr, "tspsim: signal %d, stopping\n", sig);
	sim_server_stop(s);
	return 0;
}
