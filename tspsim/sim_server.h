#ifndef TSPSIM_SIM_SERVER_H
#define TSPSIM_SIM_SERVER_H

/*
 * tspsim's HTTP side: the TSP API under /tsp/api on libmicrohttpd (one
 * thread per connection), the registry of traces and experiments, the
 * RUNNING poll counters, and fault injection with its control endpoints
 * under /_sim.
 */

#include <stddef.h>
#include <stdint.h>

#include "workload.h"

struct sim_faults {
	int64_t latency_ms;     /* delay every matching TSP answer */
	int http_500;           /* answer 500 with an ErrorResponse */
	int malformed_json;     /* answer 200 with a body that is not JSON */
	int drop_connection;    /* close the connection without answering */
	int running_forever;    /* data endpoints never leave RUNNING */
	int analysis_failed;    /* data endpoints answer status FAILED, model null */
	int truncate;           /* the real body cut in half */
	int bad_experiments;    /* GET /experiments also lists two malformed experiments */
	int style_status;       /* /style answers this HTTP status (an older server); 0 = no fault */
	char inline_color[16];  /* SYSCALL states carry this colour in their own style; "" = none */
	int bad_utf8;           /* trees name "nginx" with an invalid UTF-8 byte and a \u0000 */
	int64_t junk_kb;        /* data answers carry a member no reader reads, this many KiB of numbers */
	char path_filter[256];  /* faults only for paths containing this; "" = all */
};

struct sim_config {
	const char *listen;     /* IPv4 or IPv6 literal */
	int port;               /* 0 = any free port */
	int quiet;              /* no per-request log line */
	int running_polls;      /* RUNNING answers per experiment+output before COMPLETED */
	unsigned max_connections;
	struct wl_params wl;
	struct sim_faults faults;
};

struct sim_server;

/* Generates the start-up trace, then listens. NULL with a message in err. */
struct sim_server *sim_server_start(const struct sim_config *cfg, char *err, size_t errlen);
int sim_server_port(const struct sim_server *s);
/* Wakes delayed answers, stops the daemon (joining its threads), frees everything. */
void sim_server_stop(struct sim_server *s);

/* Name, path and UUID of the trace and experiment that exist at start-up. */
#define SIM_STARTUP_NAME "kernel"
#define SIM_STARTUP_PATH "/traces/kernel"

#endif
