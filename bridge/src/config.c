#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cors.h"

#define DEFAULT_UPSTREAM "http://127.0.0.1:8080/tsp/api"
#define DEFAULT_LISTEN "127.0.0.1"
#define DEFAULT_PORT 8090

enum opt_type { OPT_STR, OPT_INT, OPT_LONG, OPT_KIB, OPT_MIB, OPT_LOGLEVEL, OPT_TRACES, OPT_UPSTREAM, OPT_UPSTREAM_LIST };

/* One table drives parsing, env lookup and --help so they cannot drift. */
struct opt {
	const char *flag;
	const char *env;
	enum opt_type type;
	size_t offset;
	long min, max;
	const char *help;
};

#define OFF(f) offsetof(struct bridge_config, f)

static const struct opt opts[] = {
	{ "--upstream", "TSPB_UPSTREAM", OPT_UPSTREAM, 0, 0, 0,
	  "trace server TSP base URL, or NAME=URL (repeatable; default " DEFAULT_UPSTREAM ")" },
	{ "--upstreams", "TSPB_UPSTREAMS", OPT_UPSTREAM_LIST, 0, 0, 0,
	  "several trace servers: comma-separated NAME=URL list" },
	{ "--fetch-threads", "TSPB_FETCH_THREADS", OPT_INT, OFF(threads_fetch), 0, 1024,
	  "requests needing a trace server that run at once, each with its targets and servers "
	  "at the same time: fibers on the --fetch-loops, or threads with --fetch-loops 0 "
	  "(default 64; 0 = on the HTTP threads, one after the other)" },
	{ "--fetch-loops", "TSPB_FETCH_LOOPS", OPT_INT, OFF(fetch_loops), 0, 64,
	  "event-loop threads that run those requests, every upstream transfer of a loop on one "
	  "libcurl multi handle, so a request waiting on a trace server holds no thread "
	  "(default 2; 0 = a thread per request)" },
	{ "--listen", "TSPB_LISTEN", OPT_STR, OFF(listen_addr), 0, 0,
	  "address to listen on (default " DEFAULT_LISTEN "; 0.0.0.0 or :: for all)" },
	{ "--port", "TSPB_PORT", OPT_INT, OFF(port), 0, 65535,
	  "port to listen on (default 8090; 0 = any free port)" },
	{ "--port-file", "TSPB_PORT_FILE", OPT_STR, OFF(port_file), 0, 0,
	  "write the bound port to this file once listening" },
	{ "--threads", "TSPB_THREADS", OPT_INT, OFF(threads), 1, 256,
	  "HTTP threads, each serving many connections (default 4)" },
	{ "--max-connections", "TSPB_MAX_CONNECTIONS", OPT_INT, OFF(max_connections), 1, 100000,
	  "concurrent client connections accepted (default 512)" },
	{ "--client-timeout", "TSPB_CLIENT_TIMEOUT_S", OPT_LONG, OFF(client_timeout_s), 1, 3600,
	  "seconds an idle client connection is kept (default 30)" },
	{ "--request-timeout", "TSPB_REQUEST_TIMEOUT_S", OPT_LONG, OFF(request_timeout_s), 1, 3600,
	  "seconds a request's head, then its body, may take to arrive, however it trickles (default 30)" },
	{ "--max-connections-per-ip", "TSPB_MAX_CONNECTIONS_PER_IP", OPT_INT, OFF(max_per_ip), 0, 100000,
	  "concurrent connections from one client address (default 128; 0 = no limit)" },
	{ "--shutdown-timeout", "TSPB_SHUTDOWN_TIMEOUT_S", OPT_LONG, OFF(shutdown_timeout_s), 0, 3600,
	  "on SIGTERM/SIGINT, seconds to finish and send answers in flight (default 10)" },
	{ "--connect-timeout", "TSPB_CONNECT_TIMEOUT_MS", OPT_LONG, OFF(connect_timeout_ms), 1, 600000,
	  "upstream connect timeout in ms (default 2000)" },
	{ "--upstream-timeout", "TSPB_UPSTREAM_TIMEOUT_MS", OPT_LONG, OFF(upstream_timeout_ms), 1, 3600000,
	  "upstream request timeout in ms (default 10000)" },
	{ "--poll-deadline", "TSPB_POLL_DEADLINE_MS", OPT_LONG, OFF(poll_deadline_ms), 0, 3600000,
	  "how long a RUNNING analysis is re-polled, in ms (default 5000)" },
	{ "--max-upstream-mb", "TSPB_MAX_UPSTREAM_MB", OPT_MIB, OFF(max_upstream_bytes), 1, 65536,
	  "largest upstream response accepted, MiB (default 256)" },
	{ "--max-answer-mb", "TSPB_MAX_ANSWER_MB", OPT_MIB, OFF(max_answer_bytes), 1, 65536,
	  "what one request's answer may hold: its frames, then its JSON, MiB; 413 above (default 128)" },
	{ "--max-targets", "TSPB_MAX_TARGETS", OPT_INT, OFF(max_targets), 1, 100000,
	  "targets one /query may hold; 413 above (default 200)" },
	{ "--max-body-kb", "TSPB_MAX_BODY_KB", OPT_KIB, OFF(max_body_bytes), 1, 1048576,
	  "largest request body accepted, KiB (default 1024)" },
	{ "--max-header-kb", "TSPB_MAX_HEADER_KB", OPT_KIB, OFF(max_header_bytes), 8, 1024,
	  "memory for a request's line and headers, KiB; larger get 431 (default 32)" },
	{ "--cache-mb", "TSPB_CACHE_MB", OPT_MIB, OFF(cache_bytes), 0, 1048576,
	  "memory for cached COMPLETED upstream answers, MiB (default 256; 0 = no cache)" },
	{ "--cache-ttl", "TSPB_CACHE_TTL_S", OPT_LONG, OFF(cache_ttl_s), 0, 31536000,
	  "seconds a cached answer is kept (default 0 = until evicted; set it for live traces)" },
	{ "--gzip-level", "TSPB_GZIP_LEVEL", OPT_INT, OFF(gzip_level), 0, 9,
	  "gzip level of answers to clients sending Accept-Encoding: gzip (default 1; 0 = off)" },
	{ "--log-level", "TSPB_LOG_LEVEL", OPT_LOGLEVEL, OFF(log_level), 0, 0,
	  "error | warn | info | debug (default info)" },
	{ "--open-trace", "TSPB_OPEN_TRACE", OPT_TRACES, OFF(open_traces), 0, 0,
	  "open this trace at start-up: PATH on every trace server, NAME=PATH on upstream NAME "
	  "(repeatable; env: comma-separated)" },
	{ "--experiment", "TSPB_EXPERIMENT", OPT_STR, OFF(experiment), 0, 0,
	  "name of the experiment made of the opened traces (default tsp-bridge)" },
	/* Secrets: prefer the environment or a file, argv shows in ps. */
	{ "--auth-token", "TSPB_AUTH_TOKEN", OPT_STR, OFF(auth_token), 0, 0,
	  "require 'Authorization: Bearer TOKEN' (default: no authentication)" },
	{ "--auth-token-file", "TSPB_AUTH_TOKEN_FILE", OPT_STR, OFF(auth_token_file), 0, 0,
	  "read the bearer token from the first line of this file" },
	{ "--basic-auth-user", "TSPB_BASIC_AUTH_USER", OPT_STR, OFF(basic_user), 0, 0,
	  "require HTTP basic auth with this user (and the password below)" },
	{ "--basic-auth-password", "TSPB_BASIC_AUTH_PASSWORD", OPT_STR, OFF(basic_password), 0, 0,
	  "the basic auth password" },
	{ "--basic-auth-password-file", "TSPB_BASIC_AUTH_PASSWORD_FILE", OPT_STR,
	  OFF(basic_password_file), 0, 0,
	  "read the basic auth password from the first line of this file" },
	{ "--cors-origin", "TSPB_CORS_ORIGINS", OPT_STR, OFF(cors_origins), 0, 0,
	  "allow browsers from these origins (comma-separated, or *; default: CORS off)" },
};

#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

void bridge_config_init(struct bridge_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->port = DEFAULT_PORT;
	cfg->threads = 4;
	cfg->threads_fetch = 64;
	cfg->fetch_loops = 2;
	cfg->max_connections = 512;
	cfg->client_timeout_s = 30;
	cfg->request_timeout_s = 30;
	cfg->max_per_ip = 128;
	cfg->shutdown_timeout_s = 10;
	cfg->connect_timeout_ms = 2000;
	cfg->upstream_timeout_ms = 10000;
	cfg->poll_deadline_ms = 5000;
	cfg->max_upstream_bytes = (size_t)256 << 20;
	cfg->max_body_bytes = (size_t)1 << 20;
	cfg->max_answer_bytes = (size_t)128 << 20;
	cfg->max_targets = 200;
	cfg->max_header_bytes = (size_t)32 << 10;
	cfg->cache_bytes = (size_t)256 << 20;
	cfg->gzip_level = 1;
	cfg->log_level = LOG_INFO;
}

static void free_traces(struct bridge_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_open_traces; i++)
		free(cfg->open_traces[i]);
	free(cfg->open_traces);
	cfg->open_traces = NULL;
	cfg->n_open_traces = 0;
}

/* Appends the comma-separated paths of val (one path for a flag). */
static int add_traces(struct bridge_config *cfg, const char *val, int split, const char *source,
		      char *err, size_t errlen)
{
	while (*val) {
		size_t len = split ? strcspn(val, ",") : strlen(val);
		char **v;

		if (len) {
			v = realloc(cfg->open_traces, (cfg->n_open_traces + 1) * sizeof(*v));
			if (!v || !(v[cfg->n_open_traces] = strndup(val, len))) {
				if (v)
					cfg->open_traces = v;
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			cfg->open_traces = v;
			cfg->n_open_traces++;
		}
		val += len;
		if (*val == ',')
			val++;
	}
	if (!cfg->n_open_traces) {
		snprintf(err, errlen, "%s: empty value", source);
		return -1;
	}
	return 0;
}

static void free_upstreams(struct bridge_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_upstreams; i++) {
		free(cfg->upstreams[i].name);
		free(cfg->upstreams[i].url);
	}
	free(cfg->upstreams);
	cfg->upstreams = NULL;
	cfg->n_upstreams = 0;
	cfg->upstream = NULL;
}

int upstream_name_valid(const char *s, size_t len)
{
	size_t i;

	if (!len || len > UPSTREAM_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return 0;
	return 1;
}

/* "NAME=URL", or a bare URL (name NULL until the list is complete). */
static int add_upstream(struct bridge_config *cfg, const char *val, size_t len, const char *source,
			char *err, size_t errlen)
{
	const char *eq = memchr(val, '=', len);
	struct upstream_cfg *v, *u;

	if (cfg->n_upstreams == UPSTREAMS_MAX) {
		snprintf(err, errlen, "%s: more than %d upstreams", source, UPSTREAMS_MAX);
		return -1;
	}
	/* A URL has "://" before any '=' it holds, so a name never looks like one. */
	if (eq && !upstream_name_valid(val, (size_t)(eq - val)) && !memchr(val, ':', (size_t)(eq - val))) {
		snprintf(err, errlen, "%s: '%.*s' is not an upstream name (letters, digits, _ . -, "
			 "at most %d)", source, (int)(eq - val), val, UPSTREAM_NAME_MAX);
		return -1;
	}
	if (eq && !upstream_name_valid(val, (size_t)(eq - val)))
		eq = NULL;
	v = realloc(cfg->upstreams, (cfg->n_upstreams + 1) * sizeof(*v));
	if (!v)
		goto nomem;
	cfg->upstreams = v;
	u = &v[cfg->n_upstreams];
	u->name = eq ? strndup(val, (size_t)(eq - val)) : NULL;
	u->url = eq ? strndup(eq + 1, len - (size_t)(eq + 1 - val)) : strndup(val, len);
	if ((eq && !u->name) || !u->url) {
		free(u->name);
		free(u->url);
		goto nomem;
	}
	cfg->n_upstreams++;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static int add_upstreams(struct bridge_config *cfg, const char *val, int split, const char *source,
			 char *err, size_t errlen)
{
	size_t n = cfg->n_upstreams;

	while (*val) {
		size_t len = split ? strcspn(val, ", \t\n") : strlen(val);

		if (len && add_upstream(cfg, val, len, source, err, errlen) < 0)
			return -1;
		val += len;
		if (*val)
			val++;
	}
	if (cfg->n_upstreams == n) {
		snprintf(err, errlen, "%s: empty value", source);
		return -1;
	}
	return 0;
}

const struct upstream_cfg *open_trace_target(const struct bridge_config *cfg, const char *entry,
					     const char **path)
{
	const char *eq = strchr(entry, '=');
	size_t i;

	*path = entry;
	if (!eq || !upstream_name_valid(entry, (size_t)(eq - entry)))
		return NULL;
	for (i = 0; i < cfg->n_upstreams; i++)
		if (strlen(cfg->upstreams[i].name) == (size_t)(eq - entry) &&
		    !strncmp(cfg->upstreams[i].name, entry, (size_t)(eq - entry))) {
			*path = eq + 1;
			return &cfg->upstreams[i];
		}
	return NULL;
}

/* Frees a secret after overwriting it, so it does not linger in freed memory. */
static void free_secret(char **s)
{
	if (*s)
		memset(*s, 0, strlen(*s));
	free(*s);
	*s = NULL;
}

void bridge_config_release(struct bridge_config *cfg)
{
	free_secret(&cfg->auth_token);
	free_secret(&cfg->basic_password);
	free(cfg->basic_user);
	free(cfg->auth_token_file);
	free(cfg->basic_password_file);
	free(cfg->cors_origins);
	cfg->basic_user = cfg->auth_token_file = cfg->basic_password_file = cfg->cors_origins = NULL;
	free_traces(cfg);
	free(cfg->experiment);
	cfg->experiment = NULL;
	free_upstreams(cfg);
	free(cfg->listen_addr);
	free(cfg->port_file);
	cfg->listen_addr = cfg->port_file = NULL;
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int set_opt(struct bridge_config *cfg, const struct opt *o, const char *val,
		   const char *source, char *err, size_t errlen)
{
	char *field = (char *)cfg + o->offset;
	long v;

	switch (o->type) {
	case OPT_TRACES: {
		int from_env = !strncmp(source, "TSPB_", 5);

		/* The first flag replaces what the environment said; later flags add. */
		if (!from_env && cfg->open_traces_from_env)
			free_traces(cfg);
		cfg->open_traces_from_env = from_env;
		return add_traces(cfg, val, from_env, source, err, errlen);
	}
	case OPT_UPSTREAM:
	case OPT_UPSTREAM_LIST: {
		int from_env = !strncmp(source, "TSPB_", 5);

		/* As for traces: the first flag replaces the environment's list. */
		if (!from_env && cfg->upstreams_from_env)
			free_upstreams(cfg);
		cfg->upstreams_from_env = from_env;
		return add_upstreams(cfg, val, o->type == OPT_UPSTREAM_LIST, source, err, errlen);
	}
	case OPT_STR: {
		char **dst = (char **)field;
		char *copy;

		if (!*val) {
			snprintf(err, errlen, "%s: empty value", source);
			return -1;
		}
		copy = strdup(val);
		if (!copy) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		free(*dst);
		*dst = copy;
		return 0;
	}
	case OPT_LOGLEVEL:
		if (log_level_parse(val, (enum log_level *)field) < 0) {
			snprintf(err, errlen, "%s: '%s' is not one of error, warn, info, debug",
				 source, val);
			return -1;
		}
		return 0;
	default:
		break;
	}
	if (parse_long(val, o->min, o->max, &v) < 0) {
		snprintf(err, errlen, "%s: '%s' is not a whole number from %ld to %ld",
			 source, val, o->min, o->max);
		return -1;
	}
	if (o->type == OPT_INT)
		*(int *)field = (int)v;
	else if (o->type == OPT_LONG)
		*(long *)field = v;
	else
		*(size_t *)field = (size_t)v << (o->type == OPT_KIB ? 10 : 20);
	return 0;
}

/*
 * The upstream list made whole: the default when none was given, "default"
 * for the one URL given without a name, URLs that can work, unique names,
 * and --open-trace entries naming upstreams that exist.
 */
static int check_upstreams(struct bridge_config *cfg, char *err, size_t errlen)
{
	size_t i, k, unnamed = 0;

	if (!cfg->n_upstreams && add_upstreams(cfg, DEFAULT_UPSTREAM, 0, "default", err, errlen) < 0)
		return -1;
	for (i = 0; i < cfg->n_upstreams; i++) {
		struct upstream_cfg *u = &cfg->upstreams[i];

		if (strncmp(u->url, "http://", 7) && strncmp(u->url, "https://", 8)) {
			snprintf(err, errlen, "upstream '%s' must start with http:// or https://", u->url);
			return -1;
		}
		if (!u->name && unnamed++) {
			snprintf(err, errlen, "several upstreams without a name: give each one as NAME=URL");
			return -1;
		}
	}
	for (i = 0; i < cfg->n_upstreams; i++)
		if (!cfg->upstreams[i].name && !(cfg->upstreams[i].name = strdup("default"))) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	for (i = 0; i < cfg->n_upstreams; i++)
		for (k = 0; k < i; k++)
			if (!strcmp(cfg->upstreams[i].name, cfg->upstreams[k].name)) {
				snprintf(err, errlen, "two upstreams are named '%s'%s", cfg->upstreams[i].name,
					 strcmp(cfg->upstreams[i].name, "default") ? "" :
					 " (the one given without a name is 'default')");
				return -1;
			}
	cfg->upstream = cfg->upstreams[0].url;
	for (i = 0; cfg->n_upstreams > 1 && i < cfg->n_open_traces; i++) {
		const char *e = cfg->open_traces[i], *eq = strchr(e, '='), *path;

		if (eq && upstream_name_valid(e, (size_t)(eq - e)) && !open_trace_target(cfg, e, &path)) {
			snprintf(err, errlen, "--open-trace '%s': no upstream is named '%.*s'", e,
				 (int)(eq - e), e);
			return -1;
		}
	}
	return 0;
}

/*
 * Reads the secret of *dst from the first line of file (trailing whitespace
 * trimmed) when a file is given; the secret itself and the file are
 * exclusive. Messages name the options and the file, never the secret.
 */
static int load_secret(char **dst, const char *file, const char *opt, const char *file_opt,
		       char *err, size_t errlen)
{
	FILE *f = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret = -1;

	if (!file)
		return 0;
	if (*dst) {
		snprintf(err, errlen, "%s and %s both given: use one", opt, file_opt);
		return -1;
	}
	f = fopen(file, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot read '%s': %s", file_opt, file, strerror(errno));
		goto out;
	}
	/* Unbuffered: no copy of the secret left in a freed stdio buffer. */
	setvbuf(f, NULL, _IONBF, 0);
	n = getline(&line, &cap, f);
	while (n > 0 && line[n - 1] && strchr(" \t\r\n", line[n - 1]))
		line[--n] = '\0';
	if (n <= 0) {
		snprintf(err, errlen, "%s: '%s' has no secret on its first line", file_opt, file);
		goto out;
	}
	*dst = line;
	line = NULL;
	ret = 0;
out:
	if (line)
		memset(line, 0, cap);
	free(line);
	if (f)
		fclose(f);
	return ret;
}

/* Secrets from files, and credentials and origins that can work at all. */
static int check_security(struct bridge_config *cfg, char *err, size_t errlen)
{
	const char *p;

	if (load_secret(&cfg->auth_token, cfg->auth_token_file, "--auth-token",
			"--auth-token-file", err, errlen) < 0 ||
	    load_secret(&cfg->basic_password, cfg->basic_password_file, "--basic-auth-password",
			"--basic-auth-password-file", err, errlen) < 0)
		return -1;
	/* A header carries a token of visible ASCII only. */
	for (p = cfg->auth_token; p && *p; p++)
		if (*p < 0x21 || *p > 0x7e) {
			snprintf(err, errlen, "--auth-token: only visible ASCII characters, no spaces");
			return -1;
		}
	if (!cfg->basic_user != !cfg->basic_password) {
		snprintf(err, errlen, "--basic-auth-user needs --basic-auth-password (or its -file), "
			 "and the other way round");
		return -1;
	}
	if (cfg->basic_user && strchr(cfg->basic_user, ':')) {
		snprintf(err, errlen, "--basic-auth-user: a user name cannot contain ':'");
		return -1;
	}
	if (cfg->cors_origins && cors_list_check(cfg->cors_origins, err, errlen) < 0)
		return -1;
	return 0;
}

enum config_result bridge_config_parse(struct bridge_config *cfg, int argc, char **argv,
				       config_getenv_fn env, char *err, size_t errlen)
{
	size_t k;
	int i;

	/* Environment first, so flags win. */
	for (k = 0; env && k < N_OPTS; k++) {
		const char *val = env(opts[k].env);

		if (val && set_opt(cfg, &opts[k], val, opts[k].env, err, errlen) < 0)
			return CONFIG_ERROR;
	}
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL, *eq;
		size_t flen;

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h"))
			return CONFIG_HELP;
		if (!strcmp(arg, "--version") || !strcmp(arg, "-V"))
			return CONFIG_VERSION;
		eq = strchr(arg, '=');
		flen = eq ? (size_t)(eq - arg) : strlen(arg);
		for (k = 0; k < N_OPTS; k++)
			if (strlen(opts[k].flag) == flen && !strncmp(arg, opts[k].flag, flen))
				break;
		if (k == N_OPTS) {
			/* Only the name: a mistyped secret option's value stays out of the message. */
			snprintf(err, errlen, "unknown option '%.*s' (see --help)", (int)flen, arg);
			return CONFIG_ERROR;
		}
		if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			snprintf(err, errlen, "option %s needs a value", opts[k].flag);
			return CONFIG_ERROR;
		}
		if (set_opt(cfg, &opts[k], val, opts[k].flag, err, errlen) < 0)
			return CONFIG_ERROR;
	}
	if (!cfg->listen_addr && !(cfg->listen_addr = strdup(DEFAULT_LISTEN)))
		goto nomem;
	if (check_upstreams(cfg, err, errlen) < 0)
		return CONFIG_ERROR;
	if (check_security(cfg, err, errlen) < 0)
		return CONFIG_ERROR;
	return CONFIG_OK;
nomem:
	snprintf(err, errlen, "out of memory");
	return CONFIG_ERROR;
}

void bridge_config_usage(FILE *out, const char *prog)
{
	size_t k;

	fprintf(out,
		"Usage: %s [options]\n"
		"Serves Grafana (SimpleJSON, JSON and Infinity datasources) from an Eclipse\n"
		"Trace Compass trace server speaking the Trace Server Protocol.\n\n"
		"Options (each also read from the environment variable shown; flags win):\n",
		prog);
	for (k = 0; k < N_OPTS; k++)
		fprintf(out, "  %-26s %-29s %s\n", opts[k].flag, opts[k].env, opts[k].help);
	fprintf(out,
		"  %-26s %-29s %s\n  %-26s %-29s %s\n\n"
		"Several trace servers: --upstream a=URL --upstream b=URL (or TSPB_UPSTREAMS=\n"
		"a=URL,b=URL). Experiments of all are served; a name on two servers is\n"
		"written server:experiment, and a server down leaves its part out with a notice.\n\n"
		"Endpoints: GET /health (bridge and upstream status; ?strict=1 answers 503\n"
		"when no trace server is up), GET / (connection test); the Grafana\n"
		"SimpleJSON / JSON datasource API (POST /search, /query, /annotations,\n"
		"/metrics, /metric-payload-options, /variable, /tag-keys, /tag-values);\n"
		"GET /timeline[/rows|states|events|links|nodes|edges|schema].\n\n"
		"Security: listens on 127.0.0.1 unless --listen says otherwise. With a token\n"
		"or basic credentials set, every endpoint but GET /health and OPTIONS answers\n"
		"401 without them (/health then shows callers without them no upstream URL\n"
		"or error text). Secrets are best given by environment or file (argv shows\n"
		"in ps); they are never logged.\n",
		"-h, --help", "", "show this help", "-V, --version", "", "show the version");
}
