/*
 * Replicas behind one URL: one tspsim, two bridges on it, and Debian's
 * haproxy in front (round robin, HTTP health check on GET /health, retries
 * with redispatch), as docs/deployment.md "Replicas" and
 * docker-compose.replicas.yml deploy them.
 *
 * The bridge keeps no state a client could notice (its caches hold only
 * what the trace server answered), so every data answer must be the same
 * bytes whichever replica gives it, and a replica that dies must cost a
 * client nothing but the time of a retry. haproxy is test tooling
 * (scripts/deps.sh): without it the suite fails and says so.
 */
#define _GNU_SOURCE 1
#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "json_int.h"

#define N_REPLICAS 2
#define LB_BACKEND "bridges"
/* Each data request is sent this many times through haproxy: both replicas answer it. */
#define LB_SENDS 4

/* tspsim's trace: the whole 10 s of it. */
#define FROM_MS "1700000000000"
#define TO_MS "1700000010000"
#define RANGE "\"range\":{\"from\":\"2023-11-14T22:13:20Z\",\"to\":\"2023-11-14T22:13:30Z\"}"

/* One request a Grafana (or Infinity, or the app plugin) sends. */
struct req {
	const char *method;
	const char *path;
	const char *body;
	/* / and /health carry uptime and cache counters: only their stable fields are compared. */
	int status_page;
};

static const struct req reqs[] = {
	{ "GET", "/", NULL, 1 },
	{ "GET", "/health", NULL, 1 },
	{ "POST", "/search", "{\"target\":\"\"}", 0 },
	{ "POST", "/search", "{\"target\":\"experiments()\"}", 0 },
	/* A time series (TREE_TIME_XY), as the JSON datasource asks it. */
	{ "POST", "/query",
	  "{" RANGE ",\"maxDataPoints\":200,\"targets\":[{\"refId\":\"A\",\"target\":\"kernel/CPU Usage\","
	  "\"payload\":{}}]}", 0 },
	/* A time graph (TIME_GRAPH) in its state-timeline form. */
	{ "POST", "/query",
	  "{" RANGE ",\"maxDataPoints\":200,\"targets\":[{\"refId\":\"B\",\"target\":\"kernel/Thread Status"
	  "?view=timeline&limit=8\",\"type\":\"timeserie\"}]}", 0 },
	/* The app plugin's datasource. */
	{ "POST", "/frames",
	  "{" RANGE ",\"maxDataPoints\":50,\"targets\":[{\"refId\":\"C\",\"payload\":{\"experiment\":\"kernel\","
	  "\"output\":\"CPU Usage\",\"entries\":\"*\"}}]}", 0 },
	{ "GET", "/timeline?experiment=kernel&output=Thread%20Status&from=" FROM_MS "&to=" TO_MS "&width=300",
	  NULL, 0 },
	/* Infinity's rows. */
	{ "GET", "/flat?experiment=kernel&output=CPU%20Usage&entries=*&from=" FROM_MS "&to=" TO_MS "&points=40",
	  NULL, 0 },
};
#define N_REQS (sizeof(reqs) / sizeof(reqs[0]))

/* An answer, and which replica haproxy says gave it (its X-Served-By header). */
struct reply {
	long status;
	struct strbuf body;
	char served_by[32];
};

static void reply_init(struct reply *r)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->body, 0);
}

static void reply_release(struct reply *r)
{
	strbuf_release(&r->body);
}

/* haproxy: its own process, config and log in a temp dir, on free loopback ports. */
struct lb {
	pid_t pid;
	int port;               /* the frontend: the one URL Grafana is given */
	int stats_port;         /* the stats page, /stats;csv */
	char dir[128];
	char cfg[192];
	char log[192];
};

/* The normal value, or the one for valgrind, under which the bridges are ~20x slower. */
static int scaled(int normal, int valgrind)
{
	return under_valgrind() ? valgrind : normal;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Debian installs haproxy in /usr/sbin, which a user's PATH may lack; its
 * absence fails the suite with the way to install it, never skips it.
 */
static const char *haproxy_exe(void)
{
	static char found[512];
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;

	found[0] = '\0';
	copy = strdup(path ? path : "");
	ck_assert_ptr_nonnull(copy);
	for (dir = strtok_r(copy, ":", &save); dir && !found[0]; dir = strtok_r(NULL, ":", &save)) {
		snprintf(found, sizeof(found), "%s/haproxy", dir);
		if (access(found, X_OK) != 0)
			found[0] = '\0';
	}
	free(copy);
	if (!found[0] && access("/usr/sbin/haproxy", X_OK) == 0)
		snprintf(found, sizeof(found), "/usr/sbin/haproxy");
	ck_assert_msg(found[0], "haproxy is not installed: the replicas suite needs Debian's haproxy "
		      "(sh scripts/deps.sh installs it as root, or: apt-get install -y haproxy)");
	return found;
}

static void lb_dump_log(const struct lb *lb)
{
	size_t len;
	char *log = read_file(lb->log, &len);

	fprintf(stderr, "---- log of haproxy (pid %d) ----\n%s\n---- end ----\n", (int)lb->pid,
		log ? log : "(none)");
	free(log);
}

/*
 * The config docs/deployment.md describes, with the test's ports and
 * timings: round robin, GET /health every `inter` (fastinter while a
 * server changes state, so a killed replica is out within a second), and a
 * request whose connection fails or that gets no answer at all is retried
 * on another replica. X-Served-By names the replica that answered.
 */
static void lb_write_cfg(const struct lb *lb, const int *ports, int n)
{
	FILE *f = fopen(lb->cfg, "w");
	int i;

	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"global\n"
		"    log stdout format raw local0\n"
		"defaults\n"
		"    mode http\n"
		"    log global\n"
		"    option httplog\n"
		"    timeout connect 1s\n"
		"    timeout client %ds\n"
		"    timeout server %ds\n"
		"    timeout check %ds\n"
		"    retries 3\n"
		"    option redispatch 1\n"
		"    retry-on conn-failure empty-response\n"
		"frontend grafana\n"
		"    bind 127.0.0.1:%d\n"
		"    default_backend " LB_BACKEND "\n"
		"backend " LB_BACKEND "\n"
		"    balance roundrobin\n"
		"    option httpchk GET /health?local=1\n"
		"    http-check expect status 200\n"
		"    http-response set-header X-Served-By %%[srv_name]\n"
		"    default-server inter %dms fastinter %dms downinter %dms fall %d rise 1\n",
		scaled(30, 300), scaled(20, 300), scaled(2, 10), lb->port,
		scaled(500, 1000), scaled(100, 500), scaled(200, 500), scaled(2, 3));
	for (i = 0; i < n; i++)
		fprintf(f, "    server b%d 127.0.0.1:%d check\n", i + 1, ports[i]);
	fprintf(f,
		"listen stats\n"
		"    bind 127.0.0.1:%d\n"
		"    stats enable\n"
		"    stats uri /stats\n", lb->stats_port);
	ck_assert_int_eq(fclose(f), 0);
}

/*
 * One row of haproxy's stats CSV: the `column` of server `server` of the
 * bridges' backend, into buf. Returns 0, or -1 when the page or the row
 * is not there. The columns up to "status" hold no commas.
 */
static int lb_stat(const struct lb *lb, const char *server, const char *column, char *buf, size_t len)
{
	struct strbuf out = STRBUF_INIT;
	char url[128], *line, *save = NULL;
	int col = -1, ret = -1;
	long st;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/stats;csv", lb->stats_port);
	if (http_do("GET", url, NULL, &st, &out) < 0 || st != 200)
		goto out;
	for (line = strtok_r(out.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *field, *fsave = NULL;
		int i = 0, row = 0;

		if (line[0] == '#') {
			for (field = strtok_r(line + 2, ",", &fsave); field; field = strtok_r(NULL, ",", &fsave), i++)
				if (!strcmp(field, column))
					col = i;
			continue;
		}
		/* strtok would merge empty fields: split by hand. */
		for (field = line; field && col >= 0; i++) {
			char *comma = strchr(field, ',');

			if (comma)
				*comma = '\0';
			if (i == 0)
				row = !strcmp(field, LB_BACKEND);
			else if (i == 1)
				row = row && !strcmp(field, server);
			else if (i == col && row) {
				snprintf(buf, len, "%s", field);
				ret = 0;
				goto out;
			}
			if (i >= 1 && !row)
				break;
			field = comma ? comma + 1 : NULL;
		}
	}
out:
	strbuf_release(&out);
	return ret;
}

static long lb_stat_long(const struct lb *lb, const char *server, const char *column)
{
	char v[64];

	ck_assert_msg(lb_stat(lb, server, column, v, sizeof(v)) == 0, "haproxy stats: no %s of %s",
		      column, server);
	return strtol(v, NULL, 10);
}

/* Waits until haproxy's view of server is exactly `want` ("UP", "DOWN"); returns the seconds it took. */
static double lb_wait_status(const struct lb *lb, const char *server, const char *want, double limit_s)
{
	double t0 = now_s();
	char v[64] = "";

	while (now_s() - t0 < limit_s) {
		if (lb_stat(lb, server, "status", v, sizeof(v)) == 0 && !strcmp(v, want))
			return now_s() - t0;
		sleep_ms(20);
	}
	lb_dump_log(lb);
	ck_abort_msg("haproxy: %s is '%s', not %s, after %.0f s", server, v, want, limit_s);
	return -1;
}

/* Starts haproxy in the foreground in front of the bridges on ports; waits until it serves. */
static void lb_init(struct lb *lb, const int *ports, int n)
{
	const char *exe = haproxy_exe();
	double t0;
	char v[64];
	int i;

	memset(lb, 0, sizeof(*lb));
	snprintf(lb->dir, sizeof(lb->dir), "/tmp/tspb-haproxy-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(lb->dir));
	snprintf(lb->cfg, sizeof(lb->cfg), "%s/haproxy.cfg", lb->dir);
	snprintf(lb->log, sizeof(lb->log), "%s/log", lb->dir);
	lb->port = free_port();
	do
		lb->stats_port = free_port();
	while (lb->stats_port == lb->port);
	lb_write_cfg(lb, ports, n);

	lb->pid = fork();
	ck_assert_int_ge(lb->pid, 0);
	if (lb->pid == 0) {
		int fd = open(lb->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		/* Not left behind when a failed test's process dies before lb_release. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execl(exe, "haproxy", "-f", lb->cfg, "-db", (char *)NULL);
		perror("exec haproxy");
		_exit(127);
	}
	/* Serving once the stats page answers; every server is then UP until a check says otherwise. */
	for (t0 = now_s(); now_s() - t0 < 10; sleep_ms(10)) {
		int status;

		if (lb_stat(lb, "b1", "status", v, sizeof(v)) == 0)
			break;
		if (waitpid(lb->pid, &status, WNOHANG) == lb->pid) {
			lb->pid = -1;
			lb_dump_log(lb);
			ck_abort_msg("haproxy exited during start-up (config %s)", lb->cfg);
		}
	}
	for (i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "b%d", i + 1);
		lb_wait_status(lb, name, "UP", 10);
	}
}

/*
 * Stops haproxy (SIGUSR1: soft stop, it finishes what it serves and exits
 * 0) and removes its dir. Returns its exit status, -1 if it had to be killed.
 */
static int lb_release(struct lb *lb)
{
	int status = 0, ret = -1;
	double t0;

	if (lb->pid > 0) {
		kill(lb->pid, SIGUSR1);
		for (t0 = now_s(); now_s() - t0 < 10; sleep_ms(10))
			if (waitpid(lb->pid, &status, WNOHANG) == lb->pid) {
				ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
				break;
			}
		if (ret == -1) {
			kill(lb->pid, SIGKILL);
			waitpid(lb->pid, &status, 0);
		}
		if (ret != 0)
			lb_dump_log(lb);
	}
	lb->pid = -1;
	unlink(lb->cfg);
	unlink(lb->log);
	rmdir(lb->dir);
	return ret;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	return strbuf_add(ud, data, size * n) < 0 ? 0 : size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	static const char name[] = "X-Served-By:";
	const size_t len = size * n, nl = sizeof(name) - 1;
	struct reply *r = ud;

	if (len > nl && !strncasecmp(data, name, nl)) {
		const char *v = data + nl;
		size_t vl = len - nl;

		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
			vl--;
		snprintf(r->served_by, sizeof(r->served_by), "%.*s", (int)vl, v);
	}
	return len;
}

/* Sends q to port (a bridge, or haproxy); a transport failure fails the test. */
static void send_req(int port, const struct req *q, struct reply *r)
{
	struct curl_slist *hdrs = NULL;
	CURL *c = curl_easy_init();
	char url[1024];
	CURLcode rc;

	ck_assert_ptr_nonnull(c);
	r->status = 0;
	r->served_by[0] = '\0';
	strbuf_reset(&r->body);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, q->path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)scaled(20000, 120000));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	if (q->body) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	ck_assert_msg(rc == CURLE_OK, "%s %s on port %d: %s", q->method, q->path, port, curl_easy_strerror(rc));
	ck_assert_msg(r->status == 200, "%s %s on port %d: %ld: %.400s", q->method, q->path, port, r->status,
		      strbuf_str(&r->body));
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* A string member that must be there: "(missing)" would compare equal on both sides. */
static const char *must_str(const cJSON *o, const char *k, const char *what)
{
	const char *s = json_get_string(get(o, k));

	ck_assert_msg(s != NULL, "%s: no string \"%s\"", what, k);
	return s;
}

/*
 * The fields of / and /health that are the same on every replica: status,
 * name, version, the upstream, and the caches' limits (from the same
 * flags). Uptime, latency and the cache counters are each replica's own.
 */
static void stable_fields(const struct req *q, const struct reply *r, struct strbuf *out)
{
	static const char *const parts[] = { "cache", "responses", "catalog" };
	char err[128] = "";
	cJSON *j = json_parse_exact(r->body.buf, r->body.len, err, sizeof(err));
	const cJSON *br, *up;
	size_t i;

	ck_assert_msg(j != NULL, "%s: not JSON (%s): %.300s", q->path, err, strbuf_str(&r->body));
	strbuf_reset(out);
	br = get(j, "bridge");
	ck_assert_str_eq(must_str(j, "status", q->path), "ok");
	ck_assert_ptr_nonnull(get(br, "uptime_s"));
	strbuf_addf(out, "status=ok name=%s version=%s", must_str(br, "name", q->path),
		    must_str(br, "version", q->path));
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const cJSON *max = get(get(br, parts[i]), "max_bytes");

		ck_assert_msg(cJSON_IsNumber(max), "%s: no bridge.%s.max_bytes", q->path, parts[i]);
		strbuf_addf(out, " %s.max_bytes=%.0f", parts[i], max->valuedouble);
	}
	if (!strcmp(q->path, "/")) {
		strbuf_addf(out, " upstream=%s", must_str(j, "upstream", q->path));
	} else {
		up = get(j, "upstream");
		ck_assert_str_eq(must_str(up, "status", q->path), "up");
		strbuf_addf(out, " upstream.url=%s upstream.status=up upstream.server_status=%s",
			    must_str(up, "url", q->path), must_str(up, "server_status", q->path));
	}
	cJSON_Delete(j);
}

/* r answers q exactly as ref does (bytes, or the stable fields of / and /health). */
static void assert_same(const struct req *q, const struct reply *ref, const char *ref_name,
			const struct reply *r, const char *name)
{
	if (q->status_page) {
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

		stable_fields(q, ref, &a);
		stable_fields(q, r, &b);
		ck_assert_msg(!strcmp(strbuf_str(&a), strbuf_str(&b)), "%s %s: %s says\n  %s\n%s says\n  %s",
			      q->method, q->path, ref_name, strbuf_str(&a), name, strbuf_str(&b));
		strbuf_release(&a);
		strbuf_release(&b);
		return;
	}
	ck_assert_msg(ref->body.len > 2, "%s %s: empty answer from %s", q->method, q->path, ref_name);
	ck_assert_msg(r->body.len == ref->body.len && !memcmp(r->body.buf, ref->body.buf, r->body.len),
		      "%s %s%s%s: %s (%zu bytes) and %s (%zu bytes) differ:\n%.300s\n--\n%.300s", q->method,
		      q->path, q->body ? " " : "", q->body ? q->body : "", ref_name, ref->body.len, name,
		      r->body.len, strbuf_str(&ref->body), strbuf_str(&r->body));
}

/* One tspsim, the replicas, haproxy in front. */
struct rset {
	struct proc sim;
	struct proc br[N_REPLICAS];
	int ports[N_REPLICAS];
	struct lb lb;
	char upstream[128];
};

/*
 * A replica. Every replica opens the same trace as the same experiment at
 * start-up, as a deployment would: the trace server must end up with one
 * of each, whichever replica comes first. On port 0 it takes a free port,
 * else that one (a restarted replica keeps its place in haproxy's config).
 */
static void replica_start(struct rset *rs, int i, int port)
{
	char pbuf[16], pdl[16];

	snprintf(pbuf, sizeof(pbuf), "%d", port);
	snprintf(pdl, sizeof(pdl), "%d", scaled(5000, 60000));
	/* The harness passes "--port 0" first; the last --port wins. */
	ck_assert_int_eq(start_bridge(&rs->br[i], "--upstream", rs->upstream, "--poll-deadline", pdl,
				      "--open-trace", "/traces/web-01", "--experiment", "web",
				      "--port", pbuf, NULL), 0);
	if (port)
		ck_assert_int_eq(rs->br[i].port, port);
	rs->ports[i] = rs->br[i].port;
}

/* How many entries of the trace server's list at path are named name. */
static int sim_count(const struct rset *rs, const char *path, const char *name)
{
	struct strbuf out = STRBUF_INIT;
	const cJSON *x;
	char err[128];
	int n = 0;
	cJSON *j;
	long st;

	ck_assert_int_eq(http_get(rs->sim.port, path, &st, &out), 0);
	ck_assert_int_eq(st, 200);
	j = json_parse_exact(out.buf, out.len, err, sizeof(err));
	ck_assert_msg(j != NULL, "%s: %s", path, err);
	cJSON_ArrayForEach(x, j) {
		const char *s = json_get_string(get(x, "name"));

		n += s && !strcmp(s, name);
	}
	cJSON_Delete(j);
	strbuf_release(&out);
	return n;
}

/* Waits until replica i lists the experiment its start-up opens (the opener runs in the background). */
static void wait_experiment(const struct rset *rs, int i)
{
	const struct req q = { "POST", "/search", "{\"target\":\"experiments()\"}", 0 };
	double t0 = now_s(), limit = scaled(10, 120);
	struct reply r;

	reply_init(&r);
	for (;;) {
		send_req(rs->br[i].port, &q, &r);
		if (strstr(strbuf_str(&r.body), "\"web\""))
			break;
		ck_assert_msg(now_s() - t0 < limit, "replica %d: no experiment 'web' after %.0f s: %s", i + 1,
			      limit, strbuf_str(&r.body));
		sleep_ms(100);
	}
	reply_release(&r);
}

/* The trace server holds one experiment and one trace of the replicas' --open-trace, not one per replica. */
static void assert_opened_once(const struct rset *rs)
{
	ck_assert_int_eq(sim_count(rs, "/tsp/api/experiments", "web"), 1);
	ck_assert_int_eq(sim_count(rs, "/tsp/api/traces", "web-01"), 1);
	ck_assert_int_eq(sim_count(rs, "/tsp/api/experiments", "kernel"), 1);
}

static void rset_init(struct rset *rs)
{
	int i;

	memset(rs, 0, sizeof(*rs));
	haproxy_exe();
	/*
	 * --running-polls stays at its default: the first replica to ask an
	 * output polls through RUNNING, the next one gets COMPLETED at once,
	 * and their answers must still be the same.
	 */
	ck_assert_int_eq(start_tspsim(&rs->sim, "--quiet", NULL), 0);
	snprintf(rs->upstream, sizeof(rs->upstream), "http://127.0.0.1:%d/tsp/api", rs->sim.port);
	for (i = 0; i < N_REPLICAS; i++)
		replica_start(rs, i, 0);
	for (i = 0; i < N_REPLICAS; i++)
		wait_experiment(rs, i);
	assert_opened_once(rs);
	lb_init(&rs->lb, rs->ports, N_REPLICAS);
}

static void rset_release(struct rset *rs)
{
	int i;

	ck_assert_int_eq(lb_release(&rs->lb), 0);
	for (i = 0; i < N_REPLICAS; i++)
		if (rs->br[i].pid > 0)
			ck_assert_int_eq(proc_stop(&rs->br[i]), 0);
	ck_assert_int_eq(proc_stop(&rs->sim), 0);
}

/*
 * Every request, asked of each replica directly and LB_SENDS times through
 * haproxy: one answer, byte for byte, whichever replica gives it, and both
 * replicas gave some.
 */
START_TEST(same_answer_whatever_replica)
{
	struct reply direct[N_REPLICAS], r;
	struct rset rs;
	double t0 = now_s();
	size_t k;
	int i, n;

	rset_init(&rs);
	reply_init(&r);
	for (i = 0; i < N_REPLICAS; i++)
		reply_init(&direct[i]);
	for (k = 0; k < N_REQS; k++) {
		const struct req *q = &reqs[k];
		int served[N_REPLICAS] = { 0 };

		for (i = 0; i < N_REPLICAS; i++) {
			char name[32];

			send_req(rs.br[i].port, q, &direct[i]);
			/* Straight from a bridge: no haproxy header. */
			ck_assert_str_eq(direct[i].served_by, "");
			snprintf(name, sizeof(name), "replica b%d direct", i + 1);
			assert_same(q, &direct[0], "replica b1 direct", &direct[i], name);
		}
		for (n = 0; n < LB_SENDS; n++) {
			char name[64];

			send_req(rs.lb.port, q, &r);
			ck_assert_msg(r.served_by[0] == 'b' && atoi(r.served_by + 1) >= 1 &&
				      atoi(r.served_by + 1) <= N_REPLICAS, "%s %s: X-Served-By '%s'", q->method,
				      q->path, r.served_by);
			served[atoi(r.served_by + 1) - 1]++;
			snprintf(name, sizeof(name), "haproxy (served by %s)", r.served_by);
			assert_same(q, &direct[0], "replica b1 direct", &r, name);
		}
		for (i = 0; i < N_REPLICAS; i++)
			ck_assert_msg(served[i] > 0, "%s %s: round robin never reached b%d in %d requests",
				      q->method, q->path, i + 1, LB_SENDS);
	}
	/* Nothing failed over: no retry was needed. */
	for (i = 0; i < N_REPLICAS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "b%d", i + 1);
		ck_assert_int_eq(lb_stat_long(&rs.lb, name, "wredis"), 0);
	}
	for (i = 0; i < N_REPLICAS; i++)
		reply_release(&direct[i]);
	reply_release(&r);
	rset_release(&rs);
	fprintf(stderr, "replicas: %zu requests, each %d times through haproxy, in %.2f s\n", N_REQS,
		LB_SENDS, now_s() - t0);
}
END_TEST

/* Every request through haproxy: each the reference's bytes, served by `only` when set. */
static void all_through_lb(struct rset *rs, struct reply *ref, const char *only, const char *when)
{
	struct reply r;
	size_t k;

	reply_init(&r);
	for (k = 0; k < N_REQS; k++) {
		char name[96];

		send_req(rs->lb.port, &reqs[k], &r);
		snprintf(name, sizeof(name), "haproxy %s (served by %s)", when, r.served_by);
		assert_same(&reqs[k], &ref[k], "the reference", &r, name);
		if (only)
			ck_assert_msg(!strcmp(r.served_by, only), "%s: %s %s served by '%s', not %s", when,
				      reqs[k].method, reqs[k].path, r.served_by, only);
	}
	reply_release(&r);
}

/*
 * A replica is killed (SIGKILL, no goodbye): the very next requests,
 * before any health check can notice, reach the dead replica first and are
 * redispatched to the live one, so they succeed; the check then takes it
 * out. Restarted on its port, it opens its traces again (nothing new on
 * the trace server), the check brings it back and it serves again. Then
 * the other one is stopped the polite way and restarted, as a rolling
 * upgrade does.
 */
START_TEST(killed_replica_is_routed_around_then_rejoins)
{
	struct reply ref[N_REQS], r;
	const struct req *root = &reqs[0];
	struct rset rs;
	double down_s, up_s, t0;
	long redispatched;
	size_t k;
	int i, port;

	rset_init(&rs);
	reply_init(&r);
	for (k = 0; k < N_REQS; k++) {
		reply_init(&ref[k]);
		send_req(rs.br[0].port, &reqs[k], &ref[k]);
	}
	all_through_lb(&rs, ref, NULL, "with both replicas");

	/* Round robin alternates: once b1 answered, b2 is next in line. */
	for (i = 0; i < 3 && strcmp(r.served_by, "b1"); i++)
		send_req(rs.lb.port, root, &r);
	ck_assert_str_eq(r.served_by, "b1");
	port = rs.br[1].port;
	proc_kill(&rs.br[1]);
	t0 = now_s();
	all_through_lb(&rs, ref, "b1", "just after b2 was killed");
	fprintf(stderr, "replicas: %zu requests through haproxy in the %.3f s after the kill\n", N_REQS,
		now_s() - t0);
	/* The first of them went to b2, found it gone and was sent to b1 instead. */
	redispatched = lb_stat_long(&rs.lb, "b2", "wredis");
	ck_assert_msg(redispatched >= 1, "no request was redispatched from the killed b2");

	down_s = lb_wait_status(&rs.lb, "b2", "DOWN", scaled(5, 30));
	all_through_lb(&rs, ref, "b1", "with b2 down");

	replica_start(&rs, 1, port);
	up_s = lb_wait_status(&rs.lb, "b2", "UP", scaled(5, 60));
	wait_experiment(&rs, 1);
	assert_opened_once(&rs);
	/* Back in the rotation, with the same answers. */
	for (i = 0; i < 4 && strcmp(r.served_by, "b2"); i++)
		send_req(rs.lb.port, root, &r);
	ck_assert_str_eq(r.served_by, "b2");
	all_through_lb(&rs, ref, NULL, "after b2 rejoined");
	ck_assert_int_eq(lb_stat_long(&rs.lb, "b2", "wredis"), redispatched);
	fprintf(stderr, "replicas: %ld request(s) redispatched; b2 out after %.2f s, back %.2f s after its "
		"restart\n", redispatched, down_s, up_s);

	/* The rest of a rolling restart: b1 stopped cleanly (SIGTERM), b2 serves alone, b1 is back. */
	port = rs.br[0].port;
	ck_assert_int_eq(proc_stop(&rs.br[0]), 0);
	all_through_lb(&rs, ref, "b2", "while b1 restarts");
	replica_start(&rs, 0, port);
	lb_wait_status(&rs.lb, "b1", "UP", scaled(5, 60));
	assert_opened_once(&rs);
	all_through_lb(&rs, ref, NULL, "after the rolling restart");

	for (k = 0; k < N_REQS; k++)
		reply_release(&ref[k]);
	reply_release(&r);
	rset_release(&rs);
}
END_TEST

/* docker/haproxy.cfg, the compose stack's, is valid for this haproxy (names it cannot resolve wait). */
START_TEST(shipped_haproxy_config_is_valid)
{
	const char *exe = haproxy_exe();
	char cfg[512], cmd[1400], buf[4096], *line, *save = NULL;
	struct strbuf out = STRBUF_INIT;
	int status;
	size_t n;
	FILE *p;

	src_path(cfg, sizeof(cfg), "docker/haproxy.cfg");
	snprintf(cmd, sizeof(cmd), "'%s' -c -f '%s' 2>&1", exe, cfg);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		strbuf_add(&out, buf, n);
	status = pclose(p);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "haproxy -c %s:\n%s", cfg,
		      strbuf_str(&out));
	ck_assert_msg(strstr(strbuf_str(&out), "Configuration file is valid"), "%s", strbuf_str(&out));
	/* The only warnings allowed: the compose services' names, unknown outside Docker. */
	for (line = strtok_r(out.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		ck_assert_msg(!strstr(line, "[WARNING]") || strstr(line, "could not resolve address"),
			      "haproxy -c %s: %s", cfg, line);
	strbuf_release(&out);
}
END_TEST

Suite *replicas_suite(void)
{
	Suite *s = suite_create("replicas");
	TCase *tc = tcase_create("haproxy+bridges+tspsim");

	tcase_set_timeout(tc, under_valgrind() ? 600 : 30);
	tcase_add_test(tc, shipped_haproxy_config_is_valid);
	tcase_add_test(tc, same_answer_whatever_replica);
	tcase_add_test(tc, killed_replica_is_routed_around_then_rejoins);
	suite_add_tcase(s, tc);
	return s;
}
