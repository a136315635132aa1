#ifndef CONFIG_H
#define CONFIG_H

/*
 * tsp-bridge configuration: defaults, then environment variables (for
 * containers), then command-line flags, each overriding the one before.
 * Parsing is a pure function of argv and a getenv-like callback.
 */

#include <stddef.h>
#include <stdio.h>

#include "log.h"

/* One trace server: its name (qualifies experiment names, "server:experiment") and TSP base URL. */
struct upstream_cfg {
	char *name;
	char *url;
};

/* The longest upstream name, and how many upstreams one bridge serves. */
#define UPSTREAM_NAME_MAX 64
#define UPSTREAMS_MAX 1024

struct bridge_config {
	/* Owned copies; freed by bridge_config_release(). */
	struct upstream_cfg *upstreams;  /* at least one after parsing, in the order given */
	size_t n_upstreams;
	int upstreams_from_env;    /* the list came from the environment: a flag replaces it */
	const char *upstream;      /* the first upstream's URL (points into upstreams) */
	int threads_fetch;         /* requests fetching upstream answers concurrently */
	int fetch_loops;           /* event loops running them as fibers; 0: a thread each */
	char *listen_addr;         /* IPv4/IPv6 literal to bind */
	char *port_file;           /* NULL: none */
	int port;                  /* 0 = any free port */
	int threads;               /* worker threads of the HTTP server */
	int max_connections;
	long client_timeout_s;     /* idle timeout of a client connection */
	long request_timeout_s;    /* a request's head, then its body, must arrive within this */
	int max_per_ip;            /* connections from one client address; 0 = no limit */
	long shutdown_timeout_s;   /* drain on SIGTERM: answers in flight get this long */
	long connect_timeout_ms;   /* upstream connect */
	long upstream_timeout_ms;  /* upstream request, total */
	long poll_deadline_ms;     /* how long RUNNING answers are re-polled */
	size_t max_upstream_bytes; /* cap on one upstream response */
	size_t max_body_bytes;     /* cap on one request body */
	size_t max_answer_bytes;   /* one request's frames, and then its JSON answer */
	int max_targets;           /* targets of one /query */
	size_t max_header_bytes;   /* per-connection memory for request line + headers (431 above) */
	size_t cache_bytes;        /* upstream answer cache budget; 0 = no cache */
	long cache_ttl_s;          /* 0 = cached answers never expire */
	int gzip_level;            /* response gzip level, 0 = off */
	enum log_level log_level;
	/*
	 * Traces to open, and the experiment to make of them, at start-up:
	 * "PATH" on every upstream, "NAME=PATH" on upstream NAME only. Paths
	 * are on the trace server's machine.
	 */
	char **open_traces;
	size_t n_open_traces;
	int open_traces_from_env;  /* the list came from TSPB_OPEN_TRACE: a flag replaces it */
	char *experiment;          /* its name; NULL: "tsp-bridge" */
	/*
	 * Client authentication (auth.h): required when a token or basic
	 * credentials are set. Secrets: never logged or printed. The *_file
	 * paths are read by bridge_config_parse() into the secret fields.
	 */
	char *auth_token;
	char *auth_token_file;
	char *basic_user;
	char *basic_password;
	char *basic_password_file;
	char *cors_origins;        /* comma-separated allow-list (cors.h); NULL: CORS off */
};

enum config_result {
	CONFIG_OK = 0,
	CONFIG_HELP,       /* --help: print bridge_config_usage() and exit 0 */
	CONFIG_VERSION,    /* --version */
	CONFIG_ERROR,      /* message in err */
};

typedef const char *(*config_getenv_fn)(const char *name);

void bridge_config_init(struct bridge_config *cfg);   /* defaults */
/*
 * Whether s is a valid upstream name: 1..UPSTREAM_NAME_MAX of A-Z a-z 0-9
 * _ . - (no ':', which separates it from an experiment name).
 */
int upstream_name_valid(const char *s, size_t len);
/* The upstream an --open-trace entry is for (NULL: every one), and its path. */
const struct upstream_cfg *open_trace_target(const struct bridge_config *cfg, const char *entry,
					     const char **path);
void bridge_config_release(struct bridge_config *cfg);
enum config_result bridge_config_parse(struct bridge_config *cfg, int argc, char **argv,
				       config_getenv_fn env, char *err, size_t errlen);
/* Writes the --help text (flags, env variables, defaults). */
void bridge_config_usage(FILE *out, const char *prog);

#endif
