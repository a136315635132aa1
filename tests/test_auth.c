/*
 * Security defaults: authentication (auth.c), CORS (cors.c), their
 * configuration, and end to end against tsp-bridge: 401s, preflights,
 * secrets kept out of the log, the loopback default, the header limit, and
 * no request parameter reaching another host than the configured upstream.
 */
#define _GNU_SOURCE     /* memmem */
#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auth.h"
#include "config.h"
#include "cors.h"
#include "harness.h"

/* ---- auth.c ---- */

START_TEST(ct_equal_cases)
{
	ck_assert_int_eq(auth_ct_equal("secret", 6, "secret", 6), 1);
	ck_assert_int_eq(auth_ct_equal("", 0, "", 0), 1);
	ck_assert_int_eq(auth_ct_equal("secret", 6, "secreT", 6), 0);
	ck_assert_int_eq(auth_ct_equal("secret", 6, "Secret", 6), 0);
	/* Prefixes and extensions differ by length only. */
	ck_assert_int_eq(auth_ct_equal("secret", 6, "secret2", 7), 0);
	ck_assert_int_eq(auth_ct_equal("secret2", 7, "secret", 6), 0);
	ck_assert_int_eq(auth_ct_equal("", 0, "x", 1), 0);
	/* A trailing NUL in the longer one is still a difference. */
	ck_assert_int_eq(auth_ct_equal("ab\0", 3, "ab", 2), 0);
	/* Lengths that differ by a multiple of 256 (no truncation to a byte). */
	{
		static char a[300], b[44];

		ck_assert_int_eq(auth_ct_equal(a, 300, b, 44), 0);
		ck_assert_int_eq(auth_ct_equal(a, 300, a, 300), 1);
	}
}
END_TEST

static const char *b64(const char *in, char *out)
{
	unsigned char buf[128];
	long n = auth_base64_decode(in, strlen(in), buf, sizeof(buf));

	if (n < 0)
		return NULL;
	memcpy(out, buf, (size_t)n);
	out[n] = '\0';
	return out;
}

START_TEST(base64_decode_cases)
{
	char out[128];
	unsigned char small[2];

	ck_assert_str_eq(b64("Z3JhZmFuYTpodW50ZXIy", out), "grafana:hunter2");
	ck_assert_str_eq(b64("YQ==", out), "a");
	ck_assert_str_eq(b64("YQ", out), "a");             /* padding optional */
	ck_assert_str_eq(b64("YWI=", out), "ab");
	ck_assert_str_eq(b64("YWJj", out), "abc");
	ck_assert_str_eq(b64("", out), "");
	ck_assert_str_eq(b64("dTpwPz4+", out), "u:p?>>");  /* '+' and '/' alphabet */
	ck_assert_str_eq(b64("dTpwPz8/", out), "u:p???");
	ck_assert_ptr_null(b64("Y", out));                  /* 6 bits: no byte */
	ck_assert_ptr_null(b64("YQ=", out));                /* bad padding */
	ck_assert_ptr_null(b64("Y===", out));
	ck_assert_ptr_null(b64("YW J", out));               /* outside the alphabet */
	ck_assert_ptr_null(b64("YW-J", out));               /* base64url is not basic's */
	ck_assert_int_eq(auth_base64_decode("YWJj", 4, small, sizeof(small)), -1);
}
END_TEST

START_TEST(parse_header_cases)
{
	const char *cred;
	size_t len;

	ck_assert_int_eq(auth_parse_header(NULL, &cred, &len), AUTH_SCHEME_NONE);
	ck_assert_int_eq(auth_parse_header("", &cred, &len), AUTH_SCHEME_NONE);
	ck_assert_int_eq(auth_parse_header("  \t ", &cred, &len), AUTH_SCHEME_NONE);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(auth_parse_header("Bearer abc.def", &cred, &len), AUTH_SCHEME_BEARER);
	ck_assert_uint_eq(len, 7);
	ck_assert(!strncmp(cred, "abc.def", len));
	/* Scheme case-insensitive, extra whitespace around the credentials trimmed. */
	ck_assert_int_eq(auth_parse_header(" bEaReR   tok  \r\n", &cred, &len), AUTH_SCHEME_BEARER);
	ck_assert_uint_eq(len, 3);
	ck_assert(!strncmp(cred, "tok", 3));
	ck_assert_int_eq(auth_parse_header("basic Zm9vOmJhcg==", &cred, &len), AUTH_SCHEME_BASIC);
	ck_assert_uint_eq(len, 12);
	ck_assert_int_eq(auth_parse_header("Bearer", &cred, &len), AUTH_SCHEME_BEARER);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(auth_parse_header("Digest username=x", &cred, &len), AUTH_SCHEME_OTHER);
	ck_assert_int_eq(auth_parse_header("Bearerx tok", &cred, &len), AUTH_SCHEME_OTHER);
	ck_assert_int_eq(auth_parse_header("Basics x", &cred, &len), AUTH_SCHEME_OTHER);
}
END_TEST

START_TEST(check_decisions)
{
	const struct auth_config none = { NULL, NULL, NULL };
	const struct auth_config tok = { "s3cr3t", NULL, NULL };
	const struct auth_config basic = { NULL, "grafana", "hunter2" };
	const struct auth_config both = { "s3cr3t", "grafana", "hunter2" };

	ck_assert_int_eq(auth_enabled(NULL), 0);
	ck_assert_int_eq(auth_enabled(&none), 0);
	ck_assert_int_eq(auth_enabled(&tok), 1);
	ck_assert_int_eq(auth_enabled(&basic), 1);
	/* Nothing configured: everyone passes. */
	ck_assert_int_eq(auth_check(&none, NULL), AUTH_OK);
	ck_assert_int_eq(auth_check(&none, "Bearer whatever"), AUTH_OK);

	ck_assert_int_eq(auth_check(&tok, NULL), AUTH_MISSING);
	ck_assert_int_eq(auth_check(&tok, " "), AUTH_MISSING);
	ck_assert_int_eq(auth_check(&tok, "Bearer s3cr3t"), AUTH_OK);
	ck_assert_int_eq(auth_check(&tok, "bearer  s3cr3t "), AUTH_OK);
	ck_assert_int_eq(auth_check(&tok, "Bearer s3cr3"), AUTH_INVALID);
	ck_assert_int_eq(auth_check(&tok, "Bearer s3cr3t2"), AUTH_INVALID);
	ck_assert_int_eq(auth_check(&tok, "Bearer"), AUTH_INVALID);
	ck_assert_int_eq(auth_check(&tok, "s3cr3t"), AUTH_INVALID);
	/* Basic is not accepted when only a token is configured. */
	ck_assert_int_eq(auth_check(&tok, "Basic Z3JhZmFuYTpodW50ZXIy"), AUTH_INVALID);

	/* grafana:hunter2, grafana:hunter3, grafan:hunter2, grafanahunter2, grafana:hunter2: */
	ck_assert_int_eq(auth_check(&basic, "Basic Z3JhZmFuYTpodW50ZXIy"), AUTH_OK);
	ck_assert_int_eq(auth_check(&basic, "Basic Z3JhZmFuYTpodW50ZXIz"), AUTH_INVALID);
	ck_assert_int_eq(auth_check(&basic, "Basic Z3JhZmFuOmh1bnRlcjI="), AUTH_INVALID);
	ck_assert_int_eq(auth_check(&basic, "Basic Z3JhZmFuYWh1bnRlcjI="), AUTH_INVALID);
	ck_assert_int_eq(auth_check(&basic, "Basic Z3JhZmFuYTpodW50ZXIyOg=="), AUTH_INVALID);
	ck_assert_int_eq(auth_check(&basic, "Basic !!!!"), AUTH_INVALID);
	ck_assert_int_eq(auth_check(&basic, "Basic"), AUTH_INVALID);
	ck_assert_int_eq(auth_check(&basic, "Bearer s3cr3t"), AUTH_INVALID);
	ck_assert_int_eq(auth_check(&basic, NULL), AUTH_MISSING);

	/* Both configured: either credential is enough. */
	ck_assert_int_eq(auth_check(&both, "Bearer s3cr3t"), AUTH_OK);
	ck_assert_int_eq(auth_check(&both, "Basic Z3JhZmFuYTpodW50ZXIy"), AUTH_OK);
	ck_assert_int_eq(auth_check(&both, "Digest x"), AUTH_INVALID);

	ck_assert_str_eq(auth_result_message(AUTH_MISSING), "authentication required");
	ck_assert_str_eq(auth_result_message(AUTH_INVALID), "invalid credentials");
}
END_TEST

START_TEST(challenges_and_redaction)
{
	const struct auth_config tok = { "t", NULL, NULL };
	const struct auth_config basic = { NULL, "u", "p" };
	const struct auth_config both = { "t", "u", "p" };
	const char *c[2];
	char buf[128];

	ck_assert_uint_eq(auth_challenges(NULL, c), 0);
	ck_assert_uint_eq(auth_challenges(&tok, c), 1);
	ck_assert_str_eq(c[0], "Bearer realm=\"tsp-bridge\"");
	ck_assert_uint_eq(auth_challenges(&basic, c), 1);
	ck_assert_str_eq(c[0], "Basic realm=\"tsp-bridge\"");
	ck_assert_uint_eq(auth_challenges(&both, c), 2);
	ck_assert_str_eq(c[1], "Basic realm=\"tsp-bridge\"");

	auth_redact_url("http://u:pw@trace:8080/tsp/api", buf, sizeof(buf));
	ck_assert_str_eq(buf, "http://***@trace:8080/tsp/api");
	auth_redact_url("https://a@b:c@host/x@y", buf, sizeof(buf));
	ck_assert_str_eq(buf, "https://***@host/x@y");
	auth_redact_url("http://127.0.0.1:8080/tsp/api?x=@y", buf, sizeof(buf));
	ck_assert_str_eq(buf, "http://127.0.0.1:8080/tsp/api?x=@y");
	auth_redact_url("not a url", buf, sizeof(buf));
	ck_assert_str_eq(buf, "not a url");
}
END_TEST

/* ---- cors.c ---- */

START_TEST(cors_matching)
{
	const char *list = "http://grafana:3000, https://g.example.com";

	ck_assert_int_eq(cors_origin_allowed(NULL, "http://grafana:3000"), 0);
	ck_assert_int_eq(cors_origin_allowed(list, NULL), 0);
	ck_assert_int_eq(cors_origin_allowed(list, ""), 0);
	ck_assert_int_eq(cors_origin_allowed(list, "http://grafana:3000"), 1);
	ck_assert_int_eq(cors_origin_allowed(list, "https://g.example.com"), 1);
	/* Exact: no prefix, suffix, scheme or port games. */
	ck_assert_int_eq(cors_origin_allowed(list, "http://grafana:300"), 0);
	ck_assert_int_eq(cors_origin_allowed(list, "http://grafana:30000"), 0);
	ck_assert_int_eq(cors_origin_allowed(list, "https://grafana:3000"), 0);
	ck_assert_int_eq(cors_origin_allowed(list, "https://g.example.com.evil"), 0);
	ck_assert_int_eq(cors_origin_allowed(list, "http://evil"), 0);
	ck_assert_int_eq(cors_origin_allowed(list, "null"), 0);
	ck_assert_int_eq(cors_origin_allowed("*", "http://anything:1"), 1);
	ck_assert_int_eq(cors_origin_allowed("http://a, *", "null"), 1);
	ck_assert_int_eq(cors_origin_allowed("*", ""), 0);
}
END_TEST

START_TEST(cors_list_validation)
{
	char err[256];

	ck_assert_int_eq(cors_list_check("*", err, sizeof(err)), 0);
	ck_assert_int_eq(cors_list_check("http://a:1,https://b", err, sizeof(err)), 0);
	ck_assert_int_eq(cors_list_check(" http://a , https://b ", err, sizeof(err)), 0);
	ck_assert_int_eq(cors_list_check("http://grafana:3000/", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "'http://grafana:3000/'"), "%s", err);
	ck_assert_int_eq(cors_list_check("grafana:3000", err, sizeof(err)), -1);
	ck_assert_int_eq(cors_list_check("http://a,ftp://b", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "'ftp://b'"), "%s", err);
	ck_assert_int_eq(cors_list_check("http://", err, sizeof(err)), -1);
	ck_assert_int_eq(cors_list_check("http://a?x", err, sizeof(err)), -1);
	ck_assert_int_eq(cors_list_check(" , ", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "empty"), "%s", err);
}
END_TEST

/* ---- configuration ---- */

static const char *cfg_env[4][2];

static const char *env_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if (cfg_env[i][0] && !strcmp(cfg_env[i][0], name))
			return cfg_env[i][1];
	return NULL;
}

static enum config_result parse_cfg(struct bridge_config *cfg, char *err, size_t len,
				    char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	bridge_config_init(cfg);
	return bridge_config_parse(cfg, argc, argv, env_lookup, err, len);
}

/* A private file holding text; path into buf. */
static void write_tmp(char *buf, size_t len, const char *text)
{
	int fd;

	snprintf(buf, len, "/tmp/tspb-auth-XXXXXX");
	fd = mkstemp(buf);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq((int)write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
}

START_TEST(config_security_defaults)
{
	struct bridge_config cfg;
	char err[256];
	char *argv[] = { "tsp-bridge", NULL };

	memset(cfg_env, 0, sizeof(cfg_env));
	ck_assert_int_eq(parse_cfg(&cfg, err, sizeof(err), argv), CONFIG_OK);
	ck_assert_str_eq(cfg.listen_addr, "127.0.0.1");
	ck_assert_ptr_null(cfg.auth_token);
	ck_assert_ptr_null(cfg.basic_user);
	ck_assert_ptr_null(cfg.basic_password);
	ck_assert_ptr_null(cfg.cors_origins);
	ck_assert_uint_eq(cfg.max_header_bytes, 32 * 1024);
	ck_assert_uint_eq(cfg.max_body_bytes, 1024 * 1024);
	bridge_config_release(&cfg);
}
END_TEST

START_TEST(config_secrets_from_env_flags_files)
{
	struct bridge_config cfg;
	char err[256], tokfile[64], pwfile[64];
	char *a_env[] = { "tsp-bridge", NULL };
	char *a_files[] = { "tsp-bridge", "--auth-token-file", tokfile, "--basic-auth-user", "grafana",
			    "--basic-auth-password-file", pwfile, "--max-header-kb=64", NULL };
	char *a_flags[] = { "tsp-bridge", "--auth-token", "flag-token", "--cors-origin", "*", NULL };

	write_tmp(tokfile, sizeof(tokfile), "file-token \t\r\nsecond line is ignored\n");
	write_tmp(pwfile, sizeof(pwfile), "pass word with spaces\n");
	memset(cfg_env, 0, sizeof(cfg_env));
	cfg_env[0][0] = "TSPB_AUTH_TOKEN";
	cfg_env[0][1] = "env-token";
	cfg_env[1][0] = "TSPB_CORS_ORIGINS";
	cfg_env[1][1] = "http://grafana:3000,https://g.example";
	ck_assert_int_eq(parse_cfg(&cfg, err, sizeof(err), a_env), CONFIG_OK);
	ck_assert_str_eq(cfg.auth_token, "env-token");
	ck_assert_str_eq(cfg.cors_origins, "http://grafana:3000,https://g.example");
	bridge_config_release(&cfg);

	/* Flags win over the environment. */
	ck_assert_int_eq(parse_cfg(&cfg, err, sizeof(err), a_flags), CONFIG_OK);
	ck_assert_str_eq(cfg.auth_token, "flag-token");
	ck_assert_str_eq(cfg.cors_origins, "*");
	bridge_config_release(&cfg);

	memset(cfg_env, 0, sizeof(cfg_env));
	ck_assert_int_eq(parse_cfg(&cfg, err, sizeof(err), a_files), CONFIG_OK);
	ck_assert_str_eq(cfg.auth_token, "file-token");
	ck_assert_str_eq(cfg.basic_user, "grafana");
	ck_assert_str_eq(cfg.basic_password, "pass word with spaces");
	ck_assert_uint_eq(cfg.max_header_bytes, 64 * 1024);
	bridge_config_release(&cfg);

	/* The password file from the environment too. */
	cfg_env[0][0] = "TSPB_BASIC_AUTH_USER";
	cfg_env[0][1] = "viewer";
	cfg_env[1][0] = "TSPB_BASIC_AUTH_PASSWORD_FILE";
	cfg_env[1][1] = pwfile;
	ck_assert_int_eq(parse_cfg(&cfg, err, sizeof(err), a_env), CONFIG_OK);
	ck_assert_str_eq(cfg.basic_user, "viewer");
	ck_assert_str_eq(cfg.basic_password, "pass word with spaces");
	bridge_config_release(&cfg);
	memset(cfg_env, 0, sizeof(cfg_env));
	unlink(tokfile);
	unlink(pwfile);
}
END_TEST

START_TEST(config_security_errors_name_no_secret)
{
	char empty[64], tokfile[64];
	static char *cases[][8] = {
		{ "--auth-token", "tok-SECRET", "--auth-token-file", NULL, NULL },
		{ "--auth-token-file", "/nonexistent/tspb-token", NULL },
		{ "--auth-token-file", NULL, NULL },
		{ "--basic-auth-user", "grafana", NULL },
		{ "--basic-auth-password", "pw-SECRET", NULL },
		{ "--basic-auth-user", "graf:ana", "--basic-auth-password", "pw-SECRET", NULL },
		{ "--auth-token", "tok SECRET", NULL },
		{ "--cors-origin", "http://grafana:3000/", NULL },
		{ "--auth-tokn=tok-SECRET", NULL },
		{ "--max-header-kb", "4", NULL },
	};
	static const char *expect[] = {
		"--auth-token and --auth-token-file both given",
		"--auth-token-file: cannot read '/nonexistent/tspb-token'",
		"has no secret on its first line",
		"--basic-auth-user needs --basic-auth-password",
		"--basic-auth-user needs --basic-auth-password",
		"cannot contain ':'",
		"only visible ASCII",
		"'http://grafana:3000/' is not",
		"unknown option '--auth-tokn'",
		"from 8 to 1024",
	};
	size_t i, j;

	write_tmp(empty, sizeof(empty), "\n\nHIDDEN-line-3\n");
	write_tmp(tokfile, sizeof(tokfile), "tok-SECRET\n");
	cases[0][3] = tokfile;
	cases[2][1] = empty;
	memset(cfg_env, 0, sizeof(cfg_env));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bridge_config cfg;
		char err[256] = "";
		char *argv[10] = { "tsp-bridge" };

		for (j = 0; cases[i][j]; j++)
			argv[j + 1] = cases[i][j];
		ck_assert_int_eq(parse_cfg(&cfg, err, sizeof(err), argv), CONFIG_ERROR);
		ck_assert_msg(strstr(err, expect[i]), "case %zu: '%s'", i, err);
		ck_assert_msg(!strstr(err, "SECRET") && !strstr(err, "HIDDEN"),
			      "case %zu names the secret: '%s'", i, err);
		bridge_config_release(&cfg);
	}
	unlink(empty);
	unlink(tokfile);
}
END_TEST

START_TEST(usage_lists_security_options)
{
	static const char *const names[] = {
		"--auth-token", "TSPB_AUTH_TOKEN", "--auth-token-file", "TSPB_AUTH_TOKEN_FILE",
		"--basic-auth-user", "TSPB_BASIC_AUTH_USER", "--basic-auth-password",
		"TSPB_BASIC_AUTH_PASSWORD", "--basic-auth-password-file",
		"TSPB_BASIC_AUTH_PASSWORD_FILE", "--cors-origin", "TSPB_CORS_ORIGINS",
		"--max-header-kb", "TSPB_MAX_HEADER_KB", "127.0.0.1", "GET /health",
	};
	char buf[16384] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");
	size_t i;

	bridge_config_usage(f, "tsp-bridge");
	fclose(f);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ck_assert_msg(strstr(buf, names[i]), "--help lacks %s", names[i]);
}
END_TEST

/* ---- end to end ---- */

struct answer {
	long status;
	struct strbuf body;
	struct strbuf headers;
};

static size_t collect(char *data, size_t size, size_t n, void *ud)
{
	return strbuf_add(ud, data, size * n) < 0 ? 0 : size * n;
}

/*
 * One request to the bridge on port with extra header lines (NULL-terminated,
 * may be NULL), an optional body and optional user:password for basic auth.
 */
static int request(int port, const char *method, const char *path, const char *const *hdrs,
		   const char *body, const char *userpwd, struct answer *a)
{
	struct curl_slist *list = NULL;
	char url[1024];
	CURL *c = curl_easy_init();
	CURLcode rc;
	size_t i;

	a->status = 0;
	strbuf_reset(&a->body);
	strbuf_reset(&a->headers);
	if (!c)
		return -1;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	for (i = 0; hdrs && hdrs[i]; i++)
		list = curl_slist_append(list, hdrs[i]);
	if (body)
		list = curl_slist_append(list, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, under_valgrind() ? 120000L : 20000L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &a->headers);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	if (userpwd) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
	curl_slist_free_all(list);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

static void answer_release(struct answer *a)
{
	strbuf_release(&a->body);
	strbuf_release(&a->headers);
}

/* How many response header lines are exactly "Name: value" (value NULL: any). */
static int header_count(const struct answer *a, const char *name, const char *value)
{
	const char *p = strbuf_str(&a->headers);
	size_t nlen = strlen(name);
	int n = 0;

	while (*p) {
		size_t len = strcspn(p, "\r\n");

		if (len > nlen && !strncasecmp(p, name, nlen) && p[nlen] == ':') {
			const char *v = p + nlen + 1;
			size_t vlen = len - nlen - 1;

			while (vlen && *v == ' ') {
				v++;
				vlen--;
			}
			if (!value || (strlen(value) == vlen && !strncmp(v, value, vlen)))
				n++;
		}
		p += len;
		while (*p == '\r' || *p == '\n')
			p++;
	}
	return n;
}

/* Whether any response header's name starts with prefix (e.g. "Access-Control-"). */
static int has_header_prefix(const struct answer *a, const char *prefix)
{
	const char *p = strbuf_str(&a->headers);
	size_t plen = strlen(prefix);

	for (; *p; p++)
		if ((p == strbuf_str(&a->headers) || p[-1] == '\n') && !strncasecmp(p, prefix, plen))
			return 1;
	return 0;
}

static const char *log_text(const struct proc *p, char **owned)
{
	size_t len;

	*owned = read_file(p->log, &len);
	ck_assert_ptr_nonnull(*owned);
	return *owned;
}

#define TOKEN "tok-7f3a9c1e5b2d4860a1b2c3d4e5f60718"
#define WRONG "tok-wrong-0a1b2c3d4e5f6a7b8c9d0e1f"

START_TEST(bearer_token_end_to_end)
{
	static const char *const no_hdr[] = { NULL };
	static const char *const wrong[] = { "Authorization: Bearer " WRONG, NULL };
	static const char *const right[] = { "Authorization: Bearer " TOKEN, NULL };
	static const char *const basic[] = { "Authorization: Basic dXNlcjpwYXNz", NULL };
	struct answer a = { 0, STRBUF_INIT, STRBUF_INIT };
	struct proc sim, br;
	char url[128], tokfile[64];
	char *log;

	write_tmp(tokfile, sizeof(tokfile), TOKEN "\n");
	ck_assert_int_eq(start_tspsim(&sim, "--quiet", NULL), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", sim.port);
	ck_assert_int_eq(start_bridge(&br, "--upstream", url, "--auth-token-file", tokfile,
				      "--log-level", "debug", NULL), 0);

	/* No credentials: 401, the JSON error and the Bearer challenge only. */
	ck_assert_int_eq(request(br.port, "GET", "/", no_hdr, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 401);
	ck_assert_str_eq(strbuf_str(&a.body), "{\"error\":\"authentication required\"}");
	ck_assert_int_eq(header_count(&a, "WWW-Authenticate", "Bearer realm=\"tsp-bridge\""), 1);
	ck_assert_int_eq(header_count(&a, "WWW-Authenticate", NULL), 1);
	ck_assert_int_eq(header_count(&a, "Content-Type", "application/json"), 1);

	ck_assert_int_eq(request(br.port, "GET", "/", wrong, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 401);
	ck_assert_str_eq(strbuf_str(&a.body), "{\"error\":\"invalid credentials\"}");
	ck_assert_int_eq(request(br.port, "GET", "/", basic, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 401);
	/* The token in the query string is no credential (and must not be logged). */
	ck_assert_int_eq(request(br.port, "GET", "/?access_token=" TOKEN, no_hdr, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 401);

	ck_assert_int_eq(request(br.port, "GET", "/", right, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 200);
	ck_assert_msg(strstr(strbuf_str(&a.body), "\"status\":\"ok\""), "%s", strbuf_str(&a.body));

	/* Every route needs it, with a body or not, and unknown paths give nothing away. */
	ck_assert_int_eq(request(br.port, "POST", "/search", wrong, "{\"target\":\"experiments()\"}",
				 NULL, &a), 0);
	ck_assert_int_eq(a.status, 401);
	ck_assert_int_eq(request(br.port, "POST", "/search", right, "{\"target\":\"experiments()\"}",
				 NULL, &a), 0);
	ck_assert_int_eq(a.status, 200);
	ck_assert_msg(strstr(strbuf_str(&a.body), "\"kernel\""), "%s", strbuf_str(&a.body));
	ck_assert_int_eq(request(br.port, "GET", "/timeline/schema", no_hdr, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 401);
	ck_assert_int_eq(request(br.port, "GET", "/no/such/path", no_hdr, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 401);
	ck_assert_int_eq(request(br.port, "GET", "/no/such/path", right, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 404);

	/* /health stays open for health checks, without the upstream URL. */
	ck_assert_int_eq(request(br.port, "GET", "/health", no_hdr, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 200);
	ck_assert_msg(strstr(strbuf_str(&a.body), "\"status\":\"up\""), "%s", strbuf_str(&a.body));
	ck_assert_msg(!strstr(strbuf_str(&a.body), "\"url\"") && !strstr(strbuf_str(&a.body), url),
		      "%s", strbuf_str(&a.body));
	ck_assert_int_eq(request(br.port, "GET", "/health", wrong, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 200);
	ck_assert_msg(!strstr(strbuf_str(&a.body), url), "%s", strbuf_str(&a.body));
	ck_assert_int_eq(request(br.port, "GET", "/health", right, NULL, NULL, &a), 0);
	ck_assert_msg(strstr(strbuf_str(&a.body), url), "%s", strbuf_str(&a.body));
	/* Only GET /health is open, not other methods on it. */
	ck_assert_int_eq(request(br.port, "DELETE", "/health", no_hdr, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 401);

	/* The debug log has every request, and neither the right nor the wrong token. */
	log_text(&br, &log);
	ck_assert_msg(strstr(log, "GET / -> 401") && strstr(log, "GET / -> 200") &&
		      strstr(log, "auth bearer"), "%s", log);
	ck_assert_msg(!strstr(log, TOKEN) && !strstr(log, WRONG), "secret in the log:\n%s", log);
	free(log);
	answer_release(&a);
	ck_assert_int_eq(proc_stop(&br), 0);
	ck_assert_int_eq(proc_stop(&sim), 0);
	unlink(tokfile);
}
END_TEST

START_TEST(basic_auth_end_to_end)
{
	static const char *const no_hdr[] = { NULL };
	static const char *const bearer[] = { "Authorization: Bearer env-token-1234", NULL };
	static const char *const bearer_wrong[] = { "Authorization: Bearer env-token-1235", NULL };
	struct answer a = { 0, STRBUF_INIT, STRBUF_INIT };
	struct proc br;
	char pwfile[64];
	char *log;
	int rc;

	write_tmp(pwfile, sizeof(pwfile), "pw-Secret-98765\n");
	/* The token from the environment, basic credentials from flags and a file. */
	setenv("TSPB_AUTH_TOKEN", "env-token-1234", 1);
	rc = start_bridge(&br, "--upstream", "http://127.0.0.1:9/tsp/api", "--basic-auth-user",
			  "grafana", "--basic-auth-password-file", pwfile, "--log-level", "debug", NULL);
	unsetenv("TSPB_AUTH_TOKEN");
	ck_assert_int_eq(rc, 0);

	ck_assert_int_eq(request(br.port, "GET", "/", no_hdr, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 401);
	ck_assert_int_eq(header_count(&a, "WWW-Authenticate", "Bearer realm=\"tsp-bridge\""), 1);
	ck_assert_int_eq(header_count(&a, "WWW-Authenticate", "Basic realm=\"tsp-bridge\""), 1);
	ck_assert_int_eq(request(br.port, "GET", "/", NULL, NULL, "grafana:pw-Secret-98765", &a), 0);
	ck_assert_int_eq(a.status, 200);
	ck_assert_int_eq(request(br.port, "GET", "/", NULL, NULL, "grafana:pw-Secret-98766", &a), 0);
	ck_assert_int_eq(a.status, 401);
	ck_assert_str_eq(strbuf_str(&a.body), "{\"error\":\"invalid credentials\"}");
	ck_assert_int_eq(request(br.port, "GET", "/", NULL, NULL, "admin:pw-Secret-98765", &a), 0);
	ck_assert_int_eq(a.status, 401);
	ck_assert_int_eq(request(br.port, "GET", "/", bearer, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 200);
	ck_assert_int_eq(request(br.port, "GET", "/", bearer_wrong, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 401);
	/* Open /health with the trace server down: no error text (it names the host). */
	ck_assert_int_eq(request(br.port, "GET", "/health", no_hdr, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 200);
	ck_assert_msg(strstr(strbuf_str(&a.body), "\"error_kind\":\"connect\"") &&
		      !strstr(strbuf_str(&a.body), "\"error\"") &&
		      !strstr(strbuf_str(&a.body), "127.0.0.1"), "%s", strbuf_str(&a.body));

	log_text(&br, &log);
	ck_assert_msg(strstr(log, "GET / -> 401") && strstr(log, "auth bearer+basic"), "%s", log);
	ck_assert_msg(!strstr(log, "pw-Secret") && !strstr(log, "env-token") &&
		      !strstr(log, "Z3JhZmFuYTpwdy1TZWNyZXQ"), "secret in the log:\n%s", log);
	free(log);
	answer_release(&a);
	ck_assert_int_eq(proc_stop(&br), 0);
	unlink(pwfile);
}
END_TEST

START_TEST(cors_off_by_default)
{
	static const char *const origin[] = { "Origin: http://grafana:3000", NULL };
	static const char *const preflight[] = {
		"Origin: http://grafana:3000", "Access-Control-Request-Method: POST",
		"Access-Control-Request-Headers: authorization, content-type", NULL };
	struct answer a = { 0, STRBUF_INIT, STRBUF_INIT };
	struct proc br;

	ck_assert_int_eq(start_bridge(&br, "--upstream", "http://127.0.0.1:9/tsp/api", NULL), 0);
	ck_assert_int_eq(request(br.port, "GET", "/", origin, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 200);
	ck_assert_msg(!has_header_prefix(&a, "Access-Control-"), "%s", strbuf_str(&a.headers));
	ck_assert_int_eq(header_count(&a, "Vary", "Origin"), 0);
	/* OPTIONS answers which methods a path has, but grants no browser anything. */
	ck_assert_int_eq(request(br.port, "OPTIONS", "/query", preflight, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 204);
	ck_assert_int_eq(header_count(&a, "Allow", "POST, OPTIONS"), 1);
	ck_assert_msg(!has_header_prefix(&a, "Access-Control-"), "%s", strbuf_str(&a.headers));
	ck_assert_int_eq(request(br.port, "OPTIONS", "/nope", preflight, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 404);
	answer_release(&a);
	ck_assert_int_eq(proc_stop(&br), 0);
}
END_TEST

START_TEST(cors_allow_list_and_preflight)
{
	static const char *const listed[] = { "Origin: http://grafana:3000", NULL };
	static const char *const other[] = { "Origin: https://evil.example", NULL };
	static const char *const no_hdr[] = { NULL };
	static const char *const pre_listed[] = {
		"Origin: https://g.example.com", "Access-Control-Request-Method: POST",
		"Access-Control-Request-Headers: authorization, content-type", NULL };
	static const char *const pre_other[] = {
		"Origin: https://evil.example", "Access-Control-Request-Method: POST", NULL };
	static const char *const with_token[] = { "Origin: http://grafana:3000",
						  "Authorization: Bearer cors-token", NULL };
	struct answer a = { 0, STRBUF_INIT, STRBUF_INIT };
	struct proc br;

	ck_assert_int_eq(start_bridge(&br, "--upstream", "http://127.0.0.1:9/tsp/api",
				      "--cors-origin", "http://grafana:3000, https://g.example.com",
				      "--auth-token", "cors-token", NULL), 0);

	/* Preflight: no credentials needed; the route's methods, headers, max age. */
	ck_assert_int_eq(request(br.port, "OPTIONS", "/query", pre_listed, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 204);
	ck_assert_int_eq(header_count(&a, "Access-Control-Allow-Origin", "https://g.example.com"), 1);
	ck_assert_int_eq(header_count(&a, "Access-Control-Allow-Methods", "POST"), 1);
	ck_assert_int_eq(header_count(&a, "Access-Control-Allow-Headers",
				      "Authorization, Content-Type"), 1);
	ck_assert_int_eq(header_count(&a, "Access-Control-Max-Age", "600"), 1);
	ck_assert_int_eq(header_count(&a, "Vary", "Origin"), 1);
	ck_assert_int_eq(header_count(&a, "Access-Control-Allow-Credentials", NULL), 0);
	ck_assert_uint_eq(a.body.len, 0);
	ck_assert_int_eq(request(br.port, "OPTIONS", "/timeline/rows", pre_listed, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 204);
	ck_assert_int_eq(header_count(&a, "Access-Control-Allow-Methods", "GET"), 1);

	/* A foreign origin's preflight: 204 without any Access-Control-* header. */
	ck_assert_int_eq(request(br.port, "OPTIONS", "/query", pre_other, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 204);
	ck_assert_msg(!has_header_prefix(&a, "Access-Control-"), "%s", strbuf_str(&a.headers));
	ck_assert_int_eq(header_count(&a, "Vary", "Origin"), 1);
	/* An unknown path is no preflight: it needs credentials like the rest. */
	ck_assert_int_eq(request(br.port, "OPTIONS", "/nope", pre_listed, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 401);

	/* Actual requests: the listed origin gets itself back, even on a 401. */
	ck_assert_int_eq(request(br.port, "GET", "/", listed, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 401);
	ck_assert_int_eq(header_count(&a, "Access-Control-Allow-Origin", "http://grafana:3000"), 1);
	ck_assert_int_eq(request(br.port, "GET", "/", with_token, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 200);
	ck_assert_int_eq(header_count(&a, "Access-Control-Allow-Origin", "http://grafana:3000"), 1);
	ck_assert_int_eq(header_count(&a, "Vary", "Origin"), 1);
	ck_assert_int_eq(request(br.port, "GET", "/health", other, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 200);
	ck_assert_msg(!has_header_prefix(&a, "Access-Control-"), "%s", strbuf_str(&a.headers));
	ck_assert_int_eq(header_count(&a, "Vary", "Origin"), 1);
	ck_assert_int_eq(request(br.port, "GET", "/health", no_hdr, NULL, NULL, &a), 0);
	ck_assert_msg(!has_header_prefix(&a, "Access-Control-"), "%s", strbuf_str(&a.headers));
	answer_release(&a);
	ck_assert_int_eq(proc_stop(&br), 0);

	/* "*": any origin, echoed. */
	ck_assert_int_eq(start_bridge(&br, "--upstream", "http://127.0.0.1:9/tsp/api",
				      "--cors-origin", "*", NULL), 0);
	ck_assert_int_eq(request(br.port, "GET", "/", other, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 200);
	ck_assert_int_eq(header_count(&a, "Access-Control-Allow-Origin", "https://evil.example"), 1);
	ck_assert_int_eq(request(br.port, "GET", "/", no_hdr, NULL, NULL, &a), 0);
	ck_assert_msg(!has_header_prefix(&a, "Access-Control-"), "%s", strbuf_str(&a.headers));
	answer_release(&a);
	ck_assert_int_eq(proc_stop(&br), 0);
}
END_TEST

/* A non-loopback IPv4 address of this machine, or 0 when it has none. */
static int other_local_addr(struct in_addr *out)
{
	struct ifaddrs *ifs, *i;
	int found = 0;

	if (getifaddrs(&ifs) < 0)
		return 0;
	for (i = ifs; i && !found; i = i->ifa_next) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)i->ifa_addr;

		if (sin && sin->sin_family == AF_INET &&
		    (ntohl(sin->sin_addr.s_addr) >> 24) != 127) {
			*out = sin->sin_addr;
			found = 1;
		}
	}
	freeifaddrs(ifs);
	return found;
}

START_TEST(listens_on_loopback_by_default)
{
	struct sockaddr_in sa;
	struct proc br;
	char *log;
	int fd;

	ck_assert_int_eq(start_bridge(&br, "--upstream", "http://127.0.0.1:9/tsp/api", NULL), 0);
	log_text(&br, &log);
	ck_assert_msg(strstr(log, "listening on http://127.0.0.1:"), "%s", log);
	ck_assert_msg(strstr(log, "auth off") && strstr(log, "CORS off"), "%s", log);
	free(log);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)br.port);
	if (other_local_addr(&sa.sin_addr)) {
		/* Reachable through this machine's other address only if bound to all. */
		fd = socket(AF_INET, SOCK_STREAM, 0);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), -1);
		ck_assert_int_eq(errno, ECONNREFUSED);
		close(fd);
	}
	ck_assert_int_eq(proc_stop(&br), 0);
}
END_TEST

START_TEST(header_limit_answers_431)
{
	static const char *const no_hdr[] = { NULL };
	struct answer a = { 0, STRBUF_INIT, STRBUF_INIT };
	const char *hdrs[2] = { NULL, NULL };
	struct proc br;
	char *big;

	big = malloc(64 * 1024 + 16);
	ck_assert_ptr_nonnull(big);
	memcpy(big, "X-Big: ", 7);
	memset(big + 7, 'a', 64 * 1024);
	big[7 + 64 * 1024] = '\0';
	hdrs[0] = big;

	ck_assert_int_eq(start_bridge(&br, "--upstream", "http://127.0.0.1:9/tsp/api", NULL), 0);
	/* 64 KiB of header against the default 32: a prompt 431, not a hang. */
	ck_assert_int_eq(request(br.port, "GET", "/", hdrs, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 431);
	/* A header within the limit is fine, and the bridge keeps serving. */
	big[7 + 16 * 1024] = '\0';
	ck_assert_int_eq(request(br.port, "GET", "/", hdrs, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 200);
	ck_assert_int_eq(request(br.port, "GET", "/health", no_hdr, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 200);
	ck_assert_int_eq(proc_stop(&br), 0);

	/* Raised by --max-header-kb. */
	big[7 + 16 * 1024] = 'a';
	ck_assert_int_eq(start_bridge(&br, "--upstream", "http://127.0.0.1:9/tsp/api",
				      "--max-header-kb", "128", NULL), 0);
	ck_assert_int_eq(request(br.port, "GET", "/", hdrs, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 200);
	ck_assert_int_eq(proc_stop(&br), 0);
	/* Lowered: 16 KiB no longer fits in 8. */
	big[7 + 16 * 1024] = '\0';
	ck_assert_int_eq(start_bridge(&br, "--upstream", "http://127.0.0.1:9/tsp/api",
				      "--max-header-kb", "8", NULL), 0);
	ck_assert_int_eq(request(br.port, "GET", "/", hdrs, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 431);
	ck_assert_int_eq(request(br.port, "GET", "/", no_hdr, NULL, NULL, &a), 0);
	ck_assert_int_eq(a.status, 200);
	ck_assert_int_eq(proc_stop(&br), 0);
	answer_release(&a);
	free(big);
}
END_TEST

/*
 * Targets, experiment names and ids that try to point the bridge elsewhere:
 * every one is a 400 naming what does not match, tspsim sees only its own
 * /tsp/api paths, and a decoy listener on loopback is never contacted.
 */
START_TEST(request_parameters_cannot_change_the_upstream)
{
	static const char *const range =
		"\"range\":{\"from\":\"2023-11-14T22:13:20.500Z\",\"to\":\"2023-11-14T22:13:30.501Z\"}";
	const char *targets[] = {
		"http://127.0.0.1:%d/x", "http:%%2F%%2F127.0.0.1:%d/x", "../../../x%d/CPU Usage",
		"@127.0.0.1:%d/CPU Usage", "kernel/..%%2F..%%2F%dhealth", "kernel/../../%d",
		"kernel/http:\\/\\/127.0.0.1:%d\\/", "#0@127.0.0.1:%d/CPU Usage",
	};
	const char *timeline[] = {
		"/timeline?experiment=..%%2F..%%2F..&output=%d&from=1700000000500&to=1700000010501",
		"/timeline?experiment=%%40127.0.0.1:%d&output=..&from=1700000000500&to=1700000010501",
		"/timeline?experiment=http%%3A%%2F%%2F127.0.0.1%%3A%d&output=x&from=1&to=2",
		"/timeline?experiment=kernel&output=..%%2F..%%2F%d&from=1700000000500&to=1700000010501",
	};
	struct answer a = { 0, STRBUF_INIT, STRBUF_INIT };
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	struct proc sim, br;
	char url[128], body[1024], path[512], decoy[16], *log, *line;
	const char *p;
	int lfd, cfd, decoy_port;
	size_t i;

	/* The decoy: a listening socket nobody should ever connect to. */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(lfd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(lfd, 8), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sa, &salen), 0);
	decoy_port = ntohs(sa.sin_port);
	snprintf(decoy, sizeof(decoy), "%d", decoy_port);
	fcntl(lfd, F_SETFL, O_NONBLOCK);

	ck_assert_int_eq(start_tspsim(&sim, NULL), 0);     /* not --quiet: its request log */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tsp/api", sim.port);
	ck_assert_int_eq(start_bridge(&br, "--upstream", url, NULL), 0);

	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		char t[256];

		snprintf(t, sizeof(t), targets[i], decoy_port);
		snprintf(body, sizeof(body), "{%s,\"targets\":[{\"target\":\"%s\",\"refId\":\"A\"}]}",
			 range, t);
		ck_assert_int_eq(request(br.port, "POST", "/query", NULL, body, NULL, &a), 0);
		ck_assert_msg(a.status == 400 && (strstr(strbuf_str(&a.body), "no experiment matches") ||
						  strstr(strbuf_str(&a.body), "no output matches") ||
						  strstr(strbuf_str(&a.body), "expected experiment/output")),
			      "%s: %ld %s", t, a.status, strbuf_str(&a.body));
	}
	/* The JSON datasource's payload fields. */
	snprintf(body, sizeof(body), "{%s,\"targets\":[{\"target\":\"series\",\"refId\":\"A\","
		 "\"payload\":{\"experiment\":\"http://127.0.0.1:%d\",\"output\":\"../../x\"}}]}",
		 range, decoy_port);
	ck_assert_int_eq(request(br.port, "POST", "/query", NULL, body, NULL, &a), 0);
	ck_assert_int_eq(a.status, 400);
	ck_assert_msg(strstr(strbuf_str(&a.body), "no experiment matches"), "%s", strbuf_str(&a.body));
	for (i = 0; i < sizeof(timeline) / sizeof(timeline[0]); i++) {
		snprintf(path, sizeof(path), timeline[i], decoy_port);
		ck_assert_int_eq(request(br.port, "GET", path, NULL, NULL, NULL, &a), 0);
		ck_assert_msg(a.status == 400 && strstr(strbuf_str(&a.body), "no experiment"),
			      "%s: %ld %s", path, a.status, strbuf_str(&a.body));
	}
	/* Discovery queries: nothing matches, nothing is fetched elsewhere. */
	snprintf(body, sizeof(body), "{\"target\":\"entries(http://127.0.0.1:%d/CPU Usage)\"}",
		 decoy_port);
	ck_assert_int_eq(request(br.port, "POST", "/search", NULL, body, NULL, &a), 0);
	ck_assert_int_eq(a.status, 200);
	ck_assert_str_eq(strbuf_str(&a.body), "[]");

	/* The decoy saw no connection. */
	cfd = accept(lfd, NULL, NULL);
	ck_assert_msg(cfd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK),
		      "the bridge connected to the decoy port %d", decoy_port);
	close(lfd);

	/* tspsim saw only its own API, with the kernel experiment's real ids. */
	log_text(&sim, &log);
	ck_assert_msg(strstr(log, "GET /tsp/api/experiments -> 200"), "%s", log);
	for (p = log; (line = strstr(p, "tspsim: ")); p = line + 8) {
		const char *req = line + 8;
		size_t len = strcspn(req, "\n");

		if (!strncmp(req, "serving ", 8) || !strncmp(req, "signal", 6))
			continue;
		ck_assert_msg(!strncmp(req, "GET /tsp/api/", 13) || !strncmp(req, "POST /tsp/api/", 14),
			      "unexpected request: %.*s", (int)len, req);
		ck_assert_msg(!memmem(req, len, "..", 2) && !memmem(req, len, "%2F", 3) &&
			      !memmem(req, len, "@", 1) && !memmem(req, len, decoy, strlen(decoy)),
			      "foreign path reached tspsim: %.*s", (int)len, req);
	}
	free(log);
	answer_release(&a);
	ck_assert_int_eq(proc_stop(&br), 0);
	ck_assert_int_eq(proc_stop(&sim), 0);
}
END_TEST

Suite *auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *unit = tcase_create("unit");
	TCase *proc = tcase_create("process");

	tcase_add_test(unit, ct_equal_cases);
	tcase_add_test(unit, base64_decode_cases);
	tcase_add_test(unit, parse_header_cases);
	tcase_add_test(unit, check_decisions);
	tcase_add_test(unit, challenges_and_redaction);
	tcase_add_test(unit, cors_matching);
	tcase_add_test(unit, cors_list_validation);
	tcase_add_test(unit, config_security_defaults);
	tcase_add_test(unit, config_secrets_from_env_flags_files);
	tcase_add_test(unit, config_security_errors_name_no_secret);
	tcase_add_test(unit, usage_lists_security_options);
	suite_add_tcase(s, unit);

	tcase_set_timeout(proc, under_valgrind() ? 300 : 60);
	tcase_add_test(proc, bearer_token_end_to_end);
	tcase_add_test(proc, basic_auth_end_to_end);
	tcase_add_test(proc, cors_off_by_default);
	tcase_add_test(proc, cors_allow_list_and_preflight);
	tcase_add_test(proc, listens_on_loopback_by_default);
	tcase_add_test(proc, header_limit_answers_431);
	tcase_add_test(proc, request_parameters_cannot_change_the_upstream);
	suite_add_tcase(s, proc);
	return s;
}
