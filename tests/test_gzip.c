/* gzip Content-Encoding: the Accept-Encoding test, the encoder, and the bridge's answers. */
#include <check.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "harness.h"
#include "http_gzip.h"

START_TEST(accept_encoding_values)
{
	static const struct { const char *v; int ok; } cases[] = {
		{ "gzip", 1 },
		{ "gzip, deflate, br", 1 },
		{ "deflate, GZIP", 1 },
		{ "br;q=1.0, gzip;q=0.8, *;q=0.1", 1 },
		{ "x-gzip", 1 },
		{ "*", 1 },
		{ "gzip;q=0", 0 },
		{ "gzip; q=0.000", 0 },
		{ "gzip;q=0.001", 1 },
		{ "*;q=0", 0 },
		{ "gzip;q=0, *", 0 },       /* the explicit entry wins */
		{ "identity", 0 },
		{ "deflate, br", 0 },
		{ "gzipx", 0 },
		{ "", 0 },
		{ " , ,", 0 },
		{ NULL, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(http_accepts_gzip(cases[i].v) == cases[i].ok, "'%s' should be %d",
			      cases[i].v ? cases[i].v : "(null)", cases[i].ok);
}
END_TEST

static size_t gunzip(const char *in, size_t len, char *out, size_t cap)
{
	z_stream z;
	size_t n;

	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
	n = z.total_out;
	inflateEnd(&z);
	return n;
}

START_TEST(gzip_round_trip_and_cap)
{
	struct strbuf z, capped;
	size_t n = 200000, i, got;
	char *text = malloc(n), *back = malloc(n + 1);

	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(back);
	/* JSON-like, repetitive but not constant. */
	for (i = 0; i < n; i++)
		text[i] = "{\"time\":1700000000123,\"value\":0.25},"[i % 37] + (char)(i % 997 == 0);
	strbuf_init(&z, 0);
	ck_assert_int_eq(http_gzip(text, n, 1, &z), 0);
	ck_assert_uint_lt(z.len, n / 5);
	ck_assert_int_eq((unsigned char)z.buf[0], 0x1f);   /* gzip magic */
	ck_assert_int_eq((unsigned char)z.buf[1], 0x8b);
	got = gunzip(z.buf, z.len, back, n + 1);
	ck_assert_uint_eq(got, n);
	ck_assert(memcmp(back, text, n) == 0);
	/* Empty input is a valid gzip member too. */
	ck_assert_int_eq(http_gzip("", 0, 6, &z), 0);
	ck_assert_uint_eq(gunzip(z.buf, z.len, back, n), 0);
	/* Over the output's cap: refused, not cut. */
	strbuf_init(&capped, 100);
	ck_assert_int_eq(http_gzip(text, n, 1, &capped), -1);
	ck_assert_uint_eq(capped.len, 0);
	strbuf_release(&capped);
	strbuf_release(&z);
	free(text);
	free(back);
}
END_TEST

struct hdrs {
	char encoding[64];
	char vary[128];
};

static size_t on_header(char *b, size_t size, size_t n, void *ud)
{
	struct hdrs *h = ud;
	size_t len = size * n;
	char line[256];

	if (len >= sizeof(line))
		return len;
	memcpy(line, b, len);
	line[len] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (!strncasecmp(line, "Content-Encoding: ", 18))
		snprintf(h->encoding, sizeof(h->encoding), "%.60s", line + 18);
	else if (!strncasecmp(line, "Vary: ", 6))
		snprintf(h->vary, sizeof(h->vary), "%.120s", line + 6);
	return len;
}

static size_t on_body(char *b, size_t size, size_t n, void *ud)
{
	return strbuf_add(ud, b, size * n) < 0 ? 0 : size * n;
}

/* POST with or without Accept-Encoding: gzip; curl decodes, headers tell what came. */
static long post(int port, const char *path, const char *body, const char *accept,
		 struct hdrs *h, struct strbuf *out, curl_off_t *wire)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	char url[256];
	long status = 0;

	memset(h, 0, sizeof(*h));
	strbuf_reset(out);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	hl = curl_slist_append(hl, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	/* "raw:" sends the header without asking curl to decode. */
	if (accept && !strncmp(accept, "raw:", 4)) {
		snprintf(url, sizeof(url), "Accept-Encoding: %s", accept + 4);
		hl = curl_slist_append(hl, url);
		snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	} else if (accept) {
		curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, accept);
	}
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, wire);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return status;
}

START_TEST(bridge_gzips_for_clients_that_ask)
{
	static const char *q =
		"{\"range\":{\"from\":\"1970-01-01T00:00:00Z\",\"to\":\"1970-01-01T00:00:10Z\"},"
		"\"maxDataPoints\":500,\"targets\":[{\"refId\":\"A\",\"target\":\"kernel/CPU Usage/*\",\"payload\":{}}]}";
	struct proc sim, br, plain;
	struct strbuf a, b;
	struct hdrs h;
	curl_off_t wire_plain, wire_gz;	/* not asserted: curl's counting of encoded bytes varies */
	char url[128];

	strbuf_init(&a, 0);
	strbuf_init(&b, 0);
	ck_assert_int_eq(start_tspsim(&sim, "--quiet", "--running-polls", "0", NULL), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", sim.port);
	ck_assert_int_eq(start_bridge(&br, "--upstream", url, NULL), 0);

	ck_assert_int_eq(post(br.port, "/query", q, NULL, &h, &a, &wire_plain), 200);
	ck_assert_str_eq(h.encoding, "");
	ck_assert_str_eq(h.vary, "Accept-Encoding");
	ck_assert_int_eq(post(br.port, "/query", q, "gzip", &h, &b, &wire_gz), 200);
	ck_assert_str_eq(h.encoding, "gzip");
	/* Same document once decoded. */
	ck_assert_uint_gt(a.len, 10000);
	ck_assert_str_eq(strbuf_str(&b), strbuf_str(&a));
	/* On the wire: a gzip member, much smaller. */
	ck_assert_int_eq(post(br.port, "/query", q, "raw:gzip", &h, &b, &wire_gz), 200);
	ck_assert_str_eq(h.encoding, "gzip");
	ck_assert_uint_ge(b.len, 2);
	ck_assert_int_eq((unsigned char)b.buf[0], 0x1f);
	ck_assert_uint_lt(b.len, a.len / 3);
	/* Refused by q=0, or a small answer: sent as is. */
	ck_assert_int_eq(post(br.port, "/query", q, "gzip;q=0, identity", &h, &b, &wire_gz), 200);
	ck_assert_str_eq(h.encoding, "");
	ck_assert_str_eq(strbuf_str(&b), strbuf_str(&a));
	ck_assert_int_eq(post(br.port, "/search", "{}", "gzip", &h, &b, &wire_gz), 200);
	ck_assert_uint_lt(b.len, HTTP_GZIP_MIN_BYTES);
	ck_assert_str_eq(h.encoding, "");
	/* Errors are JSON either way. */
	ck_assert_int_eq(post(br.port, "/query", "{", "gzip", &h, &b, &wire_gz), 400);
	ck_assert_ptr_nonnull(strstr(strbuf_str(&b), "\"error\""));

	/* --gzip-level 0: never, and no Vary. */
	ck_assert_int_eq(start_bridge(&plain, "--upstream", url, "--gzip-level", "0", NULL), 0);
	ck_assert_int_eq(post(plain.port, "/query", q, "gzip", &h, &b, &wire_gz), 200);
	ck_assert_str_eq(h.encoding, "");
	ck_assert_str_eq(h.vary, "");
	ck_assert_str_eq(strbuf_str(&b), strbuf_str(&a));

	strbuf_release(&a);
	strbuf_release(&b);
	ck_assert_int_eq(proc_stop(&plain), 0);
	ck_assert_int_eq(proc_stop(&br), 0);
	ck_assert_int_eq(proc_stop(&sim), 0);
}
END_TEST

Suite *gzip_suite(void)
{
	Suite *s = suite_create("gzip");
	TCase *tc = tcase_create("unit");
	TCase *tb = tcase_create("bridge");

	tcase_add_test(tc, accept_encoding_values);
	tcase_add_test(tc, gzip_round_trip_and_cap);
	suite_add_tcase(s, tc);
	tcase_set_timeout(tb, under_valgrind() ? 600 : 60);
	tcase_add_test(tb, bridge_gzips_for_clients_that_ask);
	suite_add_tcase(s, tb);
	return s;
}
