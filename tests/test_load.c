/*
 * Bounded load on loopback: many concurrent clients, slow (slowloris)
 * clients, oversized bodies and headers, wrong methods and paths. The bridge
 * answers each as documented, stays up, keeps its memory, and stops cleanly
 * (under valgrind that also proves no leak). Figures go to stderr as "load:".
 */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t sink(char *b, size_t size, size_t n, void *ud)
{
	(void)b;
	*(size_t *)ud += size * n;
	return size * n;
}

struct client {
	CURL *h;
	int left;               /* requests still to make */
	size_t bytes;
};

/*
 * conns clients at once, each making `each` requests on its keep-alive
 * connection, alternating GET / and POST /search. Returns how many got 200.
 */
static int crowd(int port, int conns, int each, double *secs)
{
	CURLM *m = curl_multi_init();
	struct client *c = calloc((size_t)conns, sizeof(*c));
	char root[64], search[64];
	int i, running = 0, ok = 0, done = 0, total = conns * each;
	double t0 = now_s();

	ck_assert_ptr_nonnull(c);
	snprintf(root, sizeof(root), "http://127.0.0.1:%d/", port);
	snprintf(search, sizeof(search), "http://127.0.0.1:%d/search", port);
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)conns);
	for (i = 0; i < conns; i++) {
		c[i].h = curl_easy_init();
		c[i].left = each;
		curl_easy_setopt(c[i].h, CURLOPT_URL, root);
		curl_easy_setopt(c[i].h, CURLOPT_WRITEFUNCTION, sink);
		curl_easy_setopt(c[i].h, CURLOPT_WRITEDATA, &c[i].bytes);
		curl_easy_setopt(c[i].h, CURLOPT_TIMEOUT, 60L);
		curl_easy_setopt(c[i].h, CURLOPT_PRIVATE, &c[i]);
		curl_multi_add_handle(m, c[i].h);
	}
	while (done < total) {
		CURLMsg *msg;
		int q;

		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &q))) {
			struct client *cl;
			long st = 0;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&cl);
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &st);
			ok += msg->data.result == CURLE_OK && st == 200;
			done++;
			curl_multi_remove_handle(m, cl->h);
			if (--cl->left > 0) {
				/* The next request on the same connection, the other endpoint. */
				if (cl->left % 2) {
					curl_easy_setopt(cl->h, CURLOPT_URL, search);
					curl_easy_setopt(cl->h, CURLOPT_POSTFIELDS, "{\"target\":\"\"}");
				} else {
					curl_easy_setopt(cl->h, CURLOPT_URL, root);
					curl_easy_setopt(cl->h, CURLOPT_HTTPGET, 1L);
				}
				curl_multi_add_handle(m, cl->h);
			}
		}
		if (done < total)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	*secs = now_s() - t0;
	for (i = 0; i < conns; i++)
		curl_easy_cleanup(c[i].h);
	curl_multi_cleanup(m);
	free(c);
	return ok;
}

static int connect_to(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Sends raw bytes, reads the whole answer until the server closes or `secs` pass. */
static long raw_exchange(int port, const char *req, size_t len, struct strbuf *out, double secs)
{
	int fd = connect_to(port);
	double t0 = now_s();
	char buf[4096];
	size_t sent = 0;
	long st = 0;

	strbuf_reset(out);
	while (sent < len) {
		ssize_t n = send(fd, req + sent, len - sent, MSG_NOSIGNAL);

		if (n <= 0)
			break;          /* the server may answer and close before all is sent */
		sent += (size_t)n;
	}
	while (now_s() - t0 < secs) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		strbuf_add(out, buf, (size_t)n);
		/* Stop at the end of a Content-Length answer, keep-alive or not. */
		{
			const char *h = strbuf_str(out), *e = strstr(h, "\r\n\r\n"), *cl;

			cl = e ? strcasestr(h, "\r\nContent-Length:") : NULL;
			if (e && cl && cl < e && out->len >= (size_t)(e + 4 - h) + strtoul(cl + 17, NULL, 10))
				break;
		}
	}
	close(fd);
	if (out->len > 12 && !strncmp(strbuf_str(out), "HTTP/1.", 7))
		st = strtol(strbuf_str(out) + 9, NULL, 10);
	return st;
}

START_TEST(bounded_load_limits_and_slow_clients)
{
	const int vg = under_valgrind();
	const int conns = vg ? 20 : 200, each = vg ? 2 : 10, slow = vg ? 10 : 100;
	struct proc sim, br;
	struct strbuf out = STRBUF_INIT;
	char url[128], *big;
	int ok, i, *fds, closed = 0;
	long warm_kb, end_kb, st;
	double secs, t0;

	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-polls", "0", NULL), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", sim.port);
	/* One client address makes the whole crowd here: no per-address limit. */
	ck_assert_int_eq(start_bridge(&br, "--upstream", url, "--client-timeout", "2",
				      "--max-body-kb", "16", "--max-connections", "1024",
				      "--max-connections-per-ip", "0", NULL), 0);

	/* (a) a crowd, twice: the second run's memory must match the first's. */
	ok = crowd(br.port, conns, each, &secs);
	ck_assert_int_eq(ok, conns * each);
	warm_kb = proc_status_kb(br.pid, "VmRSS");
	ok = crowd(br.port, conns, each, &secs);
	ck_assert_int_eq(ok, conns * each);
	fprintf(stderr, "load: %d connections x %d requests: all 200 in %.2f s (%.0f req/s)\n",
		conns, each, secs, conns * each / secs);

	/* (b) slowloris: half-sent headers hold connections, others are still served. */
	fds = calloc((size_t)slow, sizeof(*fds));
	ck_assert_ptr_nonnull(fds);
	for (i = 0; i < slow; i++) {
		fds[i] = connect_to(br.port);
		ck_assert_int_gt(send(fds[i], "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ", 40, MSG_NOSIGNAL), 0);
	}
	t0 = now_s();
	ck_assert_int_eq(http_get(br.port, "/", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	ck_assert_msg(now_s() - t0 < 5, "served in %.2f s while %d clients hang", now_s() - t0, slow);
	/* A small crowd too, all of it, while they still hang. */
	ck_assert_int_eq(crowd(br.port, vg ? 5 : 20, 2, &secs), (vg ? 5 : 20) * 2);
	/* ... and the idle ones are closed after --client-timeout (2 s). */
	t0 = now_s();
	while (closed < slow && now_s() - t0 < (vg ? 30 : 10)) {
		for (i = 0; i < slow; i++) {
			struct pollfd p = { fds[i], POLLIN, 0 };
			char c;

			if (fds[i] < 0 || poll(&p, 1, 0) <= 0)
				continue;
			if (recv(fds[i], &c, 1, MSG_DONTWAIT) <= 0) {
				close(fds[i]);
				fds[i] = -1;
				closed++;
			}
		}
		usleep(100 * 1000);
	}
	fprintf(stderr, "load: %d slow clients closed by the bridge after %.1f s\n", closed, now_s() - t0);
	ck_assert_int_eq(closed, slow);
	free(fds);

	/* (c) bodies over --max-body-kb: 413 JSON, declared or chunked. */
	big = malloc(64 * 1024 + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', 64 * 1024);
	big[64 * 1024] = '\0';
	ck_assert_int_eq(http_post(br.port, "/query", big, &st, &out), 0);
	ck_assert_int_eq(st, 413);
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "\"error\":\"request body exceeds"));
	{
		struct strbuf req = STRBUF_INIT;

		strbuf_addstr(&req, "POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
			      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
		for (i = 0; i < 8; i++) {
			strbuf_addf(&req, "%x\r\n", 8192);
			strbuf_add(&req, big, 8192);
			strbuf_addstr(&req, "\r\n");
		}
		strbuf_addstr(&req, "0\r\n\r\n");
		ck_assert_int_eq(raw_exchange(br.port, req.buf, req.len, &out, 10), 413);
		ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "request body exceeds"));
		strbuf_release(&req);
	}

	/* (d) wrong methods: 405 with Allow; (e) unknown paths: 404; both JSON. */
	{
		static const char patch[] = "PATCH /query HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
		static const char del[] = "DELETE /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
		static const char nope[] = "GET /no/such/thing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

		ck_assert_int_eq(raw_exchange(br.port, patch, sizeof(patch) - 1, &out, 10), 405);
		ck_assert_ptr_nonnull(strcasestr(strbuf_str(&out), "\r\nAllow: POST"));
		ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "{\"error\":\"method PATCH not allowed"));
		ck_assert_ptr_nonnull(strcasestr(strbuf_str(&out), "\r\nContent-Type: application/json"));
		ck_assert_int_eq(raw_exchange(br.port, del, sizeof(del) - 1, &out, 10), 405);
		ck_assert_ptr_nonnull(strcasestr(strbuf_str(&out), "\r\nAllow: GET"));
		ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "{\"error\":\"method DELETE not allowed"));
		ck_assert_int_eq(raw_exchange(br.port, nope, sizeof(nope) - 1, &out, 10), 404);
		ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "{\"error\":\"no such endpoint"));
		ck_assert_ptr_nonnull(strcasestr(strbuf_str(&out), "\r\nContent-Type: application/json"));
	}

	/* (f) a 64 KiB header: 431 from libmicrohttpd, nothing worse. */
	{
		struct strbuf req = STRBUF_INIT;

		strbuf_addstr(&req, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: ");
		strbuf_add(&req, big, 64 * 1024);
		strbuf_addstr(&req, "\r\nConnection: close\r\n\r\n");
		ck_assert_int_eq(raw_exchange(br.port, req.buf, req.len, &out, 10), 431);
		strbuf_release(&req);
	}
	free(big);

	/* (g) still serving, memory where it was after the first crowd. */
	ok = crowd(br.port, conns, each, &secs);
	ck_assert_int_eq(ok, conns * each);
	end_kb = proc_status_kb(br.pid, "VmRSS");
	fprintf(stderr, "load: bridge RSS %ld KiB after the first crowd, %ld KiB at the end\n",
		warm_kb, end_kb);
	/* valgrind and ASan (its quarantine) hold freed memory on purpose. */
#ifndef __SANITIZE_ADDRESS__
	if (!vg)
		ck_assert_msg(end_kb - warm_kb < 50 * 1024, "RSS grew from %ld to %ld KiB", warm_kb, end_kb);
#endif
	ck_assert_int_eq(http_get(br.port, "/health", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	strbuf_release(&out);
	ck_assert_int_eq(proc_stop(&br), 0);
	ck_assert_int_eq(proc_stop(&sim), 0);
}
END_TEST

/* A connection to the bridge from source address 127.0.0.<host>; -1 when refused. */
static int connect_from(int port, int host)
{
	struct sockaddr_in src, sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl(0x7f000000u | (uint32_t)host);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&src, sizeof(src)), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Attackers trickling a head a byte at a time: each open one gets a byte;
 * one the bridge closed is counted and forgotten. Returns how many are open.
 */
static int trickle(int *fds, int n, int *closed)
{
	int i, open_ = 0;

	for (i = 0; i < n; i++) {
		struct pollfd p = { fds[i], POLLIN, 0 };
		char c;

		if (fds[i] < 0)
			continue;
		if ((poll(&p, 1, 0) > 0 && recv(fds[i], &c, 1, MSG_DONTWAIT) <= 0) ||
		    send(fds[i], "a", 1, MSG_NOSIGNAL) != 1) {
			close(fds[i]);
			fds[i] = -1;
			(*closed)++;
			continue;
		}
		open_++;
	}
	return open_;
}

/* GET /health from 127.0.0.1, retried until `secs`; the time it took, or -1. */
static double served_within(int port, double secs)
{
	double t0 = now_s();
	struct strbuf out = STRBUF_INIT;
	long st = 0;

	while (now_s() - t0 < secs) {
		if (http_get(port, "/health", &st, &out) == 0 && st == 200) {
			strbuf_release(&out);
			return now_s() - t0;
		}
		usleep(100 * 1000);
	}
	strbuf_release(&out);
	return -1;
}

/*
 * Clients trickling a byte every 200 ms are never idle, so the idle timeout
 * never frees them. One address gets at most --max-connections-per-ip; a
 * head must be in within --request-timeout however it trickles; a normal
 * client is served while they go on.
 */
START_TEST(trickling_clients_cannot_lock_others_out)
{
	const int vg = under_valgrind();
	const int deadline = vg ? 4 : 2, n_one = 60, n_many = 45;
	struct proc sim, br;
	char url[128], dl[16];
	int fds[60 + 45], i, closed = 0, open_;
	double t0, took;

	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-polls", "0", NULL), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", sim.port);
	snprintf(dl, sizeof(dl), "%d", deadline);
	ck_assert_int_eq(start_bridge(&br, "--upstream", url, "--max-connections", "40",
				      "--max-connections-per-ip", "10", "--request-timeout", dl,
				      "--client-timeout", "60", NULL), 0);

	/* (a) sixty from one address: ten get in, the rest are turned away. */
	for (i = 0; i < n_one; i++) {
		fds[i] = connect_from(br.port, 2);
		if (fds[i] >= 0 && send(fds[i], "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ", 40,
					MSG_NOSIGNAL) != 40) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
	usleep(300 * 1000);
	open_ = trickle(fds, n_one, &closed);
	ck_assert_msg(open_ <= 10, "%d connections from one address are open", open_);
	took = served_within(br.port, 1.0 * (vg ? 5 : 1));
	ck_assert_msg(took >= 0, "a normal client was not served while one address trickles");

	/* (b) the ten that got in are cut at the deadline though never idle. */
	t0 = now_s();
	while ((open_ = trickle(fds, n_one, &closed)) > 0 && now_s() - t0 < deadline + (vg ? 10 : 3))
		usleep(200 * 1000);
	ck_assert_msg(open_ == 0, "%d trickling connections still open after %.1f s", open_,
		      now_s() - t0);
	fprintf(stderr, "load: trickling heads cut after %.1f s (deadline %d s)\n", now_s() - t0, deadline);

	/* (c) forty-five addresses fill the server; the deadline frees it for others. */
	for (i = 0; i < n_many; i++) {
		fds[n_one + i] = connect_from(br.port, 10 + i);
		if (fds[n_one + i] >= 0)
			send(fds[n_one + i], "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ", 40, MSG_NOSIGNAL);
	}
	t0 = now_s();
	took = -1;
	while (now_s() - t0 < deadline + (vg ? 20 : 5)) {
		struct strbuf out = STRBUF_INIT;
		long st = 0;

		trickle(fds + n_one, n_many, &closed);
		if (http_get(br.port, "/health", &st, &out) == 0 && st == 200) {
			took = now_s() - t0;
			strbuf_release(&out);
			break;
		}
		strbuf_release(&out);
		usleep(200 * 1000);
	}
	ck_assert_msg(took >= 0, "never served while %d addresses trickle", n_many);
	fprintf(stderr, "load: served after %.1f s while %d addresses trickled\n", took, n_many);
	for (i = 0; i < n_one + n_many; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	ck_assert_int_eq(proc_stop(&br), 0);
	ck_assert_int_eq(proc_stop(&sim), 0);
}
END_TEST

/* Reads until the server closes (or secs pass); 1 if it closed. */
static int read_to_close(int fd, struct strbuf *out, double secs)
{
	double t0 = now_s();
	char buf[4096];

	strbuf_reset(out);
	while (now_s() - t0 < secs) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return 1;
		strbuf_add(out, buf, (size_t)n);
	}
	return 0;
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay++;
	}
	return n;
}

/*
 * Heads libmicrohttpd 0.9.75 would read one way and a proxy another, or
 * hang on: one 400 with a JSON error, the connection closed, and nothing
 * after the head served.
 */
START_TEST(ambiguous_framing_is_refused)
{
	static const char smuggled[] = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char body[] = "{\"target\":\"\"}";
	struct proc sim, br;
	struct strbuf req = STRBUF_INIT, out = STRBUF_INIT;
	char url[128];
	const struct {
		const char *head;       /* the body and the smuggled request follow */
		const char *why;
	} cases[] = {
		{ "POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 13\r\nContent-Length: 46\r\n\r\n",
		  "more than one Content-Length header" },
		{ "POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 13\r\ncontent-length: 13\r\n\r\n",
		  "more than one Content-Length header" },
		{ "POST /search HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
		  "Transfer-Encoding \\\"gzip\\\" is not supported" },
		{ "POST /search HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		  "is not supported (only chunked)" },
		{ "POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 13\r\nTransfer-Encoding: chunked\r\n\r\n",
		  "both Transfer-Encoding and Content-Length" },
	};
	size_t i;
	int fd;
	long st;

	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-polls", "0", NULL), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", sim.port);
	ck_assert_int_eq(start_bridge(&br, "--upstream", url, "--client-timeout", "30", NULL), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strbuf_reset(&req);
		strbuf_addstr(&req, cases[i].head);
		strbuf_addstr(&req, body);
		strbuf_addstr(&req, smuggled);
		fd = connect_to(br.port);
		ck_assert_int_eq(send(fd, req.buf, req.len, MSG_NOSIGNAL), (ssize_t)req.len);
		ck_assert_msg(read_to_close(fd, &out, 5), "case %zu: the connection stayed open", i);
		close(fd);
		ck_assert_msg(!strncmp(strbuf_str(&out), "HTTP/1.1 400", 12), "case %zu: %s", i, strbuf_str(&out));
		ck_assert_msg(count_of(strbuf_str(&out), "HTTP/1.") == 1, "case %zu: more than one answer: %s",
			      i, strbuf_str(&out));
		ck_assert_msg(strstr(strbuf_str(&out), cases[i].why), "case %zu: %s", i, strbuf_str(&out));
		ck_assert_ptr_nonnull(strcasestr(strbuf_str(&out), "\r\nContent-Type: application/json"));
	}

	/* 500 query arguments: a 400 at once, not silence until the timeout. */
	strbuf_reset(&req);
	strbuf_addstr(&req, "GET /health?");
	for (i = 0; i < 500; i++)
		strbuf_addf(&req, "%sa%zu=%zu", i ? "&" : "", i, i);
	strbuf_addstr(&req, " HTTP/1.1\r\nHost: x\r\n\r\n");
	fd = connect_to(br.port);
	ck_assert_int_eq(send(fd, req.buf, req.len, MSG_NOSIGNAL), (ssize_t)req.len);
	ck_assert_msg(read_to_close(fd, &out, 5), "500 arguments: the connection stayed open");
	close(fd);
	ck_assert_msg(!strncmp(strbuf_str(&out), "HTTP/1.1 400", 12), "%s", strbuf_str(&out));
	ck_assert_ptr_nonnull(strstr(strbuf_str(&out), "too many query arguments (500; at most 128)"));
	/* ... while a hundred are fine. */
	strbuf_reset(&req);
	strbuf_addstr(&req, "/health?");
	for (i = 0; i < 100; i++)
		strbuf_addf(&req, "%sa%zu=%zu", i ? "&" : "", i, i);
	ck_assert_int_eq(http_get(br.port, req.buf, &st, &out), 0);
	ck_assert_int_eq(st, 200);

	/*
	 * A Content-Length that is no number: libmicrohttpd answers it itself,
	 * before the bridge sees the head; it is a 400 and the connection closes.
	 */
	fd = connect_to(br.port);
	strbuf_reset(&req);
	strbuf_addf(&req, "POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n%s%s", body, smuggled);
	ck_assert_int_eq(send(fd, req.buf, req.len, MSG_NOSIGNAL), (ssize_t)req.len);
	ck_assert(read_to_close(fd, &out, 5));
	close(fd);
	ck_assert_msg(!strncmp(strbuf_str(&out), "HTTP/1.1 400", 12), "%s", strbuf_str(&out));
	ck_assert_ptr_null(strstr(strbuf_str(&out), "\"status\":\"ok\""));

	ck_assert_int_eq(http_get(br.port, "/health", &st, &out), 0);
	ck_assert_int_eq(st, 200);
	strbuf_release(&req);
	strbuf_release(&out);
	ck_assert_int_eq(proc_stop(&br), 0);
	ck_assert_int_eq(proc_stop(&sim), 0);
}
END_TEST

/* A /query body of n copies of one JSON-datasource target over the whole trace. */
static char *many_targets(int n, const char *target, int points)
{
	struct strbuf b = STRBUF_INIT;
	int i;

	strbuf_addf(&b, "{\"range\":{\"from\":1700000000500,\"to\":1700000010500},\"maxDataPoints\":%d,"
		    "\"targets\":[", points);
	for (i = 0; i < n; i++)
		strbuf_addf(&b, "%s{\"refId\":\"T%d\",\"target\":\"%s\",\"payload\":{}}", i ? "," : "", i,
			    target);
	strbuf_addstr(&b, "]}");
	return strbuf_detach(&b, NULL);
}

/*
 * One request cannot take the machine's memory: 2,000 targets (a 100 KB
 * body) are refused before any is run, and targets whose frames would
 * outgrow --max-answer-mb are refused while they are built, not after;
 * the bridge's peak memory stays bounded and flat over repeats.
 */
START_TEST(one_request_has_bounded_memory)
{
	const int vg = under_valgrind();
	struct proc sim, br;
	struct strbuf out = STRBUF_INIT;
	char url[128], *body;
	long st, hwm0, hwm1 = 0, hwm2;
	int i;

	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-polls", "0", "--threads",
				      vg ? "100" : "400", NULL), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", sim.port);
	ck_assert_int_eq(start_bridge(&br, "--upstream", url, "--max-answer-mb", "8", NULL), 0);
	hwm0 = proc_status_kb(br.pid, "VmHWM");

	body = many_targets(2000, "kernel/CPU Usage/*", 1000);
	ck_assert_uint_lt(strlen(body), 128 * 1024);
	ck_assert_int_eq(http_post(br.port, "/query", body, &st, &out), 0);
	ck_assert_msg(st == 413 && strstr(strbuf_str(&out), "2000 targets") &&
		      strstr(strbuf_str(&out), "--max-targets"), "%ld: %s", st, strbuf_str(&out));
	free(body);

	/* Each target's frames alone are over the 8 MiB budget, many times over together. */
	body = many_targets(150, "kernel/CPU Usage/*", vg ? 1000 : 4000);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(http_post(br.port, "/query", body, &st, &out), 0);
		ck_assert_msg(st == 413 && strstr(strbuf_str(&out), "--max-answer-mb"), "%ld: %.300s", st,
			      strbuf_str(&out));
		if (i == 0)
			hwm1 = proc_status_kb(br.pid, "VmHWM");
	}
	hwm2 = proc_status_kb(br.pid, "VmHWM");
	free(body);
	fprintf(stderr, "load: bridge peak RSS %ld KiB at start, %ld after one over-budget /query, "
		"%ld after three\n", hwm0, hwm1, hwm2);
#ifndef __SANITIZE_ADDRESS__
	if (!vg) {
		ck_assert_msg(hwm1 < 256 * 1024, "peak RSS %ld KiB", hwm1);
		ck_assert_msg(hwm2 - hwm1 < 32 * 1024, "peak RSS grew from %ld to %ld KiB", hwm1, hwm2);
	}
#endif
	/* A request inside the budget is answered as before. */
	body = many_targets(20, "kernel/CPU Usage", 500);
	ck_assert_int_eq(http_post(br.port, "/query", body, &st, &out), 0);
	ck_assert_msg(st == 200, "%ld: %.300s", st, strbuf_str(&out));
	free(body);
	strbuf_release(&out);
	ck_assert_int_eq(proc_stop(&br), 0);
	ck_assert_int_eq(proc_stop(&sim), 0);
}
END_TEST

struct inflight {
	int port;
	long status;
	size_t body_len, want_len;
	struct strbuf out;
};

/* One /query over a raw socket: the whole answer as sent, Content-Length and all. */
static void *ask_query(void *arg)
{
	static const char body[] = "{\"range\":{\"from\":1700000000500,\"to\":1700000009500},"
		"\"maxDataPoints\":50,\"targets\":[{\"refId\":\"A\",\"target\":\"kernel/CPU Usage\",\"payload\":{}}]}";
	struct inflight *q = arg;
	struct strbuf req = STRBUF_INIT;
	const char *h, *e, *cl;

	strbuf_addf(&req, "POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		    "Content-Length: %zu\r\n\r\n%s", sizeof(body) - 1, body);
	q->status = raw_exchange(q->port, req.buf, req.len, &q->out, 60);
	h = strbuf_str(&q->out);
	e = strstr(h, "\r\n\r\n");
	cl = e ? strcasestr(h, "\r\nContent-Length:") : NULL;
	if (e && cl) {
		q->want_len = strtoul(cl + 17, NULL, 10);
		q->body_len = q->out.len - (size_t)(e + 4 - h);
	}
	strbuf_release(&req);
	return NULL;
}

/*
 * SIGTERM while an answer is being made: the bridge stops accepting, closes
 * an idle kept-alive connection at once, finishes the answer, sends it whole
 * and exits 0.
 */
START_TEST(sigterm_drains_answers_in_flight)
{
	const int vg = under_valgrind();
	struct proc sim, br;
	struct inflight q;
	struct strbuf out = STRBUF_INIT;
	char url[128], lat[16];
	pthread_t th;
	double t0;
	int idle;

	snprintf(lat, sizeof(lat), "%d", vg ? 1500 : 400);
	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-polls", "0", "--latency-ms", lat, NULL), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", sim.port);
	ck_assert_int_eq(start_bridge(&br, "--upstream", url, "--client-timeout", "60",
				      "--shutdown-timeout", vg ? "60" : "20", NULL), 0);
	/* A kept-alive connection, idle after one request. */
	idle = connect_to(br.port);
	ck_assert_int_eq(send(idle, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", 33, MSG_NOSIGNAL), 33);
	{
		char buf[4096];
		struct pollfd p = { idle, POLLIN, 0 };

		ck_assert_int_gt(poll(&p, 1, 5000), 0);
		ck_assert_int_gt(recv(idle, buf, sizeof(buf), 0), 0);
	}
	memset(&q, 0, sizeof(q));
	q.port = br.port;
	strbuf_init(&q.out, 0);
	ck_assert_int_eq(pthread_create(&th, NULL, ask_query, &q), 0);
	usleep((vg ? 2000 : 600) * 1000);      /* the request is in, the trace server slow */
	t0 = now_s();
	ck_assert_int_eq(proc_stop(&br), 0);
	pthread_join(th, NULL);
	fprintf(stderr, "load: stopped in %.1f s with one answer in flight\n", now_s() - t0);
	ck_assert_msg(q.status == 200, "the answer in flight: %ld %.300s", q.status, strbuf_str(&q.out));
	ck_assert_uint_gt(q.want_len, 0);
	ck_assert_uint_eq(q.body_len, q.want_len);
	ck_assert_ptr_nonnull(strstr(strbuf_str(&q.out), "\"Total\""));
	ck_assert(read_to_close(idle, &out, 1));
	close(idle);
	strbuf_release(&q.out);
	strbuf_release(&out);
	ck_assert_int_eq(proc_stop(&sim), 0);
}
END_TEST

Suite *load_suite(void)
{
	Suite *s = suite_create("load");
	TCase *tc = tcase_create("loopback");

	tcase_set_timeout(tc, under_valgrind() ? 900 : 120);
	tcase_add_test(tc, bounded_load_limits_and_slow_clients);
	tcase_add_test(tc, trickling_clients_cannot_lock_others_out);
	tcase_add_test(tc, ambiguous_framing_is_refused);
	tcase_add_test(tc, sigterm_drains_answers_in_flight);
	tcase_add_test(tc, one_request_has_bounded_memory);
	suite_add_tcase(s, tc);
	return s;
}
