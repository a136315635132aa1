/* tsp-bridge: serve Grafana from a Trace Compass trace server. */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "auth.h"
#include "bridge.h"
#include "opener.h"
#include "config.h"
#include "http_server.h"
#include "log.h"

static const char *env_lookup(const char *name)
{
	return getenv(name);
}

static int write_port_file(const char *path, int port)
{
	char tmp[4096];
	FILE *f;

	/* Write then rename, so a reader never sees a half-written port. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%d\n", port);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

/* The HTTP server's settings from the bridge's; auth is filled for it to point at. */
static void server_config(struct http_server_config *hcfg, struct auth_config *auth,
			  const struct bridge_config *cfg, struct bridge *app)
{
	memset(hcfg, 0, sizeof(*hcfg));
	hcfg->listen_addr = cfg->listen_addr;
	hcfg->port = cfg->port;
	hcfg->threads = cfg->threads;
	hcfg->max_connections = cfg->max_connections;
	hcfg->timeout_s = cfg->client_timeout_s;
	hcfg->request_timeout_s = cfg->request_timeout_s;
	hcfg->max_per_ip = cfg->max_per_ip;
	hcfg->max_body = cfg->max_body_bytes;
	hcfg->max_response = cfg->max_answer_bytes;
	hcfg->gzip_level = cfg->gzip_level;
	hcfg->max_header = cfg->max_header_bytes;
	auth->token = cfg->auth_token;
	auth->basic_user = cfg->basic_user;
	auth->basic_password = cfg->basic_password;
	hcfg->auth = auth;
	hcfg->cors_origins = cfg->cors_origins;
	hcfg->resp_cache = app->responses;
	hcfg->settled = bridge_settled;
	hcfg->pool = app->ups.pool;
	hcfg->routes = bridge_routes;
	hcfg->n_routes = bridge_n_routes;
	hcfg->app = app;
}

/* Which protections are on, never the secrets themselves; the trace servers' URLs redacted. */
static void log_started(const struct bridge_config *cfg, int port)
{
	char url[1024];
	size_t i;

	auth_redact_url(cfg->upstream, url, sizeof(url));
	if (cfg->n_upstreams > 1)
		snprintf(url, sizeof(url), "%zu trace servers", cfg->n_upstreams);
	log_info("tsp-bridge %s listening on http://%s:%d, upstream %s, auth %s%s%s, CORS %s",
		 TSPB_VERSION, cfg->listen_addr, port, url,
		 cfg->auth_token ? "bearer" : "", cfg->auth_token && cfg->basic_user ? "+" : "",
		 cfg->basic_user ? "basic" : (cfg->auth_token ? "" : "off"),
		 cfg->cors_origins ? cfg->cors_origins : "off");
	for (i = 0; cfg->n_upstreams > 1 && i < cfg->n_upstreams; i++) {
		auth_redact_url(cfg->upstreams[i].url, url, sizeof(url));
		log_info("trace server %s: %s", cfg->upstreams[i].name, url);
	}
}

int main(int argc, char **argv)
{
	struct bridge_config cfg;
	struct http_server_config hcfg;
	struct http_server *server = NULL;
	struct opener *opener = NULL;
	struct bridge app = { 0 };
	struct auth_config auth;
	sigset_t sigs;
	char err[512];
	int sig = 0, ret = EXIT_FAILURE;

	bridge_config_init(&cfg);
	switch (bridge_config_parse(&cfg, argc, argv, env_lookup, err, sizeof(err))) {
	case CONFIG_HELP:
		bridge_config_usage(stdout, "tsp-bridge");
		ret = EXIT_SUCCESS;
		goto out;
	case CONFIG_VERSION:
		printf("tsp-bridge %s\n", TSPB_VERSION);
		ret = EXIT_SUCCESS;
		goto out;
	case CONFIG_ERROR:
		fprintf(stderr, "tsp-bridge: %s\n", err);
		ret = 2;
		goto out;
	case CONFIG_OK:
		break;
	}
	log_set_level(cfg.log_level);
	/*
	 * Parsed answers live in MB-sized arena chunks that come and go with
	 * each request. Above glibc's default mmap threshold every chunk was
	 * a fresh mapping, page-faulted byte by byte (a third of the time of
	 * an uncached /query). Kept in the heap, they are reused.
	 */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 128 << 20);
	if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
		log_error("curl_global_init failed");
		goto out;
	}

	/*
	 * Block the stop signals before any thread exists so every thread
	 * inherits the mask and only sigwait() below receives them.
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (bridge_init(&app, &cfg) < 0) {
		log_error("out of memory");
		goto cleanup;
	}
	server_config(&hcfg, &auth, &cfg, &app);
	server = http_server_start(&hcfg, err, sizeof(err));
	if (!server) {
		log_error("%s", err);
		goto cleanup;
	}
	log_started(&cfg, http_server_port(server));
	if (cfg.port_file && write_port_file(cfg.port_file, http_server_port(server)) < 0) {
		log_error("cannot write port file %s", cfg.port_file);
		goto cleanup;
	}

	opener = opener_start(&app);

	if (sigwait(&sigs, &sig) != 0)
		log_error("sigwait failed");
	log_info("signal %d: shutting down", sig);
	ret = EXIT_SUCCESS;
cleanup:
	opener_stop(opener);
	http_server_stop(server, cfg.shutdown_timeout_s);
	bridge_release(&app);
	curl_global_cleanup();
out:
	bridge_config_release(&cfg);
	return ret;
}
