#include "harness.h"

#include <arpa/inet.h>
#include <check.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "json_int.h"

int under_valgrind(void)
{
	const char *v = getenv("TSPB_VALGRIND");
	return v && *v;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

void proc_dump_log(const struct proc *p)
{
	size_t len;
	char *log = read_file(p->log, &len);

	fprintf(stderr, "---- log of %s (pid %d) ----\n%s\n---- end ----\n",
		p->name, (int)p->pid, log ? log : "(none)");
	free(log);
}

int proc_start(struct proc *p, const char *env_var, const char *const *args)
{
	const char *exe = getenv(env_var);
	const char *vg = getenv("TSPB_VALGRIND");
	char portfile[192], *vgcopy = NULL;
	const char *argv[64];
	int argc = 0, i, waited;

	memset(p, 0, sizeof(*p));
	p->pid = -1;
	if (!exe) {
		fprintf(stderr, "harness: $%s is not set\n", env_var);
		return -1;
	}
	snprintf(p->name, sizeof(p->name), "%s", strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe);
	snprintf(p->dir, sizeof(p->dir), "/tmp/tspb-test-XXXXXX");
	if (!mkdtemp(p->dir))
		return -1;
	snprintf(portfile, sizeof(portfile), "%s/port", p->dir);
	snprintf(p->log, sizeof(p->log), "%s/log", p->dir);

	if (vg && *vg) {
		char *tok, *save = NULL;

		vgcopy = strdup(vg);
		for (tok = strtok_r(vgcopy, " ", &save); tok && argc < 20;
		     tok = strtok_r(NULL, " ", &save))
			argv[argc++] = tok;
	}
	argv[argc++] = exe;
	argv[argc++] = "--port";
	argv[argc++] = "0";
	argv[argc++] = "--port-file";
	argv[argc++] = portfile;
	for (i = 0; args && args[i] && argc < 62; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;

	p->pid = fork();
	if (p->pid == 0) {
		int fd = open(p->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execvp(argv[0], (char *const *)argv);
		perror("exec");
		_exit(127);
	}
	free(vgcopy);
	if (p->pid < 0)
		return -1;

	/* Wait for the port file; valgrind makes start-up slow. */
	for (waited = 0; waited < (under_valgrind() ? 60000 : 10000); waited += 10) {
		FILE *f = fopen(portfile, "r");
		int status;

		if (f) {
			int ok = fscanf(f, "%d", &p->port) == 1 && p->port > 0;
			fclose(f);
			if (ok)
				return 0;
		}
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			fprintf(stderr, "harness: %s exited during start-up\n", p->name);
			p->pid = -1;
			proc_dump_log(p);
			return -1;
		}
		sleep_ms(10);
	}
	fprintf(stderr, "harness: %s did not report its port\n", p->name);
	proc_dump_log(p);
	proc_kill(p);
	return -1;
}

static void cleanup_dir(struct proc *p)
{
	char path[256];

	if (!p->dir[0])
		return;
	snprintf(path, sizeof(path), "%s/port", p->dir);
	unlink(path);
	unlink(p->log);
	rmdir(p->dir);
	p->dir[0] = '\0';
}

int proc_stop(struct proc *p)
{
	int status = 0, waited, ret = -1;

	if (p->pid <= 0) {
		cleanup_dir(p);
		return -1;
	}
	kill(p->pid, SIGTERM);
	for (waited = 0; waited < (under_valgrind() ? 60000 : 10000); waited += 10) {
		pid_t r = waitpid(p->pid, &status, WNOHANG);

		if (r == p->pid) {
			ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			break;
		}
		sleep_ms(10);
	}
	if (ret == -1) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &status, 0);
	}
	if (ret != 0)
		proc_dump_log(p);
	p->pid = -1;
	cleanup_dir(p);
	return ret;
}

void proc_kill(struct proc *p)
{
	int status;

	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &status, 0);
	}
	p->pid = -1;
	cleanup_dir(p);
}

static size_t collect(char *data, size_t size, size_t n, void *ud)
{
	return strbuf_add(ud, data, size * n) < 0 ? 0 : size * n;
}

int http_do(const char *method, const char *url, const char *body,
	    long *status, struct strbuf *out)
{
	struct curl_slist *hdrs = NULL;
	CURL *c = curl_easy_init();
	CURLcode rc;

	*status = 0;
	strbuf_reset(out);
	if (!c)
		return -1;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, under_valgrind() ? 120000L : 20000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	if (body) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

int http_get(int port, const char *path, long *status, struct strbuf *out)
{
	char url[512];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	return http_do("GET", url, NULL, status, out);
}

int http_post(int port, const char *path, const char *body, long *status, struct strbuf *out)
{
	char url[512];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	return http_do("POST", url, body, status, out);
}

const char *src_path(char *buf, size_t len, const char *rel)
{
	const char *root = getenv("TSPB_SRCDIR");

	snprintf(buf, len, "%s/%s", root && *root ? root : ".", rel);
	return buf;
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char chunk[65536];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (strbuf_add(&sb, chunk, n) < 0)
			break;
	fclose(f);
	if (sb.overflow) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, len);
}

int run_node(const char *script_rel, const char *args, struct strbuf *log)
{
	char script[512], cmd[4096], logpath[] = "/tmp/tspb-node-XXXXXX";
	int fd = mkstemp(logpath), status;
	char *text;
	size_t len;

	if (fd < 0)
		return -1;
	close(fd);
	src_path(script, sizeof(script), script_rel);
	snprintf(cmd, sizeof(cmd), "node '%s' %s > '%s' 2>&1", script, args, logpath);
	status = system(cmd);
	text = read_file(logpath, &len);
	strbuf_addstr(log, text ? text : "(no output)");
	free(text);
	unlink(logpath);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

char *json_quotes(const char *s)
{
	char *d = strdup(s), *p;

	ck_assert_ptr_nonnull(d);
	for (p = d; *p; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

int free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

int has_notice(const cJSON *o, const char *needle)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(o, "meta"), *n;

	cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(meta, "notices")) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(n, "text");

		if (cJSON_IsString(t) && strstr(t->valuestring, needle))
			return 1;
	}
	return 0;
}

long proc_status_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t n = strlen(field);
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			kb = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return kb;
}

void sim_set_faults(int port, const char *json)
{
	struct strbuf out = STRBUF_INIT;
	char url[128];
	long st = 0;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/_sim/faults", port);
	ck_assert_int_eq(http_do(json ? "POST" : "DELETE", url, json, &st, &out), 0);
	ck_assert_msg(st == 200, "/_sim/faults %s -> %ld: %s", json ? json : "DELETE", st, strbuf_str(&out));
	strbuf_release(&out);
}

int utf8_valid_iconv(const char *s, size_t n)
{
	iconv_t cd = iconv_open("UTF-32LE", "UTF-8");
	char *in = (char *)s, *buf = malloc(4 * n + 4), *o = buf;
	size_t il = n, ol = 4 * n + 4, r;

	ck_assert(cd != (iconv_t)-1 && buf);
	r = iconv(cd, &in, &il, &o, &ol);
	iconv_close(cd);
	free(buf);
	return r != (size_t)-1 && il == 0;
}

struct cJSON *bridge_ask(int port, const char *method, const char *path, const char *body, long want)
{
	struct strbuf out = STRBUF_INIT;
	char url[4096];
	long st = 0;
	cJSON *j;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	ck_assert_int_eq(http_do(method, url, body, &st, &out), 0);
	ck_assert_msg(st == want, "%s %s -> %ld, not %ld: %s", method, path, st, want, strbuf_str(&out));
	j = json_parse_exact(out.buf ? out.buf : "", out.len, NULL, 0);
	ck_assert_msg(j != NULL, "%s %s: not JSON: %s", method, path, strbuf_str(&out));
	strbuf_release(&out);
	return j;
}
