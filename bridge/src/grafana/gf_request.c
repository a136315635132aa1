/* Grafana request bodies (gf_request.h). */
#include "gf_request.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_int.h"

static int err_set(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int err_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- times ---- */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;

	while (n--) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (*(*p)++ - '0');
	}
	*out = v;
	return 0;
}

static int leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int gf_time_parse_iso(const char *s, int64_t *ns)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;
	int64_t frac = 0, secs;
	int nfrac = 0;
	const char *p = s;

	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 || *p++ != '-' ||
	    digits(&p, 2, &d) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap(y)))
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0)
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec) < 0)
				return -1;
			if (*p == '.' || *p == ',') {
				p++;
				if (!isdigit((unsigned char)*p))
					return -1;
				while (isdigit((unsigned char)*p)) {
					if (nfrac == 9)
						return -1;      /* below the nanosecond */
					frac = frac * 10 + (*p++ - '0');
					nfrac++;
				}
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p++ == '-' ? -1 : 1;
			if (digits(&p, 2, &oh) < 0)
				return -1;
			if (*p == ':')
				p++;
			if (digits(&p, 2, &om) < 0 || oh > 23 || om > 59)
				return -1;
		} else {
			return -1;      /* a local time would depend on the bridge's zone */
		}
	}
	if (*p)
		return -1;
	while (nfrac++ < 9)
		frac *= 10;
	secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	       sign * (oh * 3600 + om * 60);
	/* int64 ns spans 1677-09-21 .. 2262-04-11. */
	if (secs > INT64_MAX / 1000000000 - 1 || secs < INT64_MIN / 1000000000 + 1)
		return -2;
	*ns = secs * 1000000000 + frac;
	return 0;
}

/* Epoch ms as written ("1700000000500", "1700000000500.25"), exactly. */
static int ms_text_to_ns(const char *t, int64_t *ns)
{
	int64_t ms = 0, frac = 0;
	int neg = 0, nfrac = 0;

	if (*t == '-') {
		neg = 1;
		t++;
	}
	if (!isdigit((unsigned char)*t))
		return -1;
	while (isdigit((unsigned char)*t)) {
		if (ms > (INT64_MAX / 1000000 - 9) / 10)
			return -2;
		ms = ms * 10 + (*t++ - '0');
	}
	if (*t == '.') {
		t++;
		while (isdigit((unsigned char)*t)) {
			if (nfrac == 6)
				return -1;
			frac = frac * 10 + (*t++ - '0');
			nfrac++;
		}
	}
	if (*t)
		return -1;      /* exponents and the like: not a ms timestamp we can keep exact */
	while (nfrac++ < 6)
		frac *= 10;
	*ns = ms * 1000000 + frac;
	if (neg)
		*ns = -*ns;
	return 0;
}

int gf_time_parse(const cJSON *v, const char *what, int64_t *ns, char *err, size_t errlen)
{
	const char *s = json_get_string(v);
	char num[64];
	int rc;

	if (s) {
		rc = gf_time_parse_iso(s, ns);
		if (rc == -2)
			return err_set(err, errlen, "%s: \"%s\" is out of range", what, s);
		if (rc < 0)
			return err_set(err, errlen, "%s: not a date: \"%s\" (ISO 8601 UTC expected, "
				       "e.g. 2023-11-14T22:13:20.500Z)", what, s);
		return 0;
	}
	if (json_is_number(v)) {
		const char *t = json_number_text(v, num, sizeof(num));

		/* cJSON keeps the literal only for long integers; others print with %.17g. */
		rc = ms_text_to_ns(t, ns);
		if (rc == -2)
			return err_set(err, errlen, "%s: %s ms is out of range", what, t);
		if (rc < 0)
			return err_set(err, errlen, "%s: %s is not a time in epoch ms", what, t);
		return 0;
	}
	return err_set(err, errlen, "%s: a date string or epoch ms is expected", what);
}

/* ---- shared pieces ---- */

/*
 * Whether JSON text holds a NUL: a raw byte, or a \u0000 escape (after an
 * odd run of backslashes). Parsed into C strings it would cut a target or
 * a name short without a word, so it is refused instead.
 */
static int has_nul(const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	if (memchr(s, '\0', len))
		return 1;
	while ((p = memchr(p, 'u', (size_t)(end - p)))) {
		const char *b = p;

		if (end - p >= 5 && !memcmp(p, "u0000", 5)) {
			while (b > s && b[-1] == '\\')
				b--;
			if ((p - b) % 2)
				return 1;
		}
		p++;
	}
	return 0;
}

static cJSON *parse_body(const char *body, size_t len, int empty_ok, char *err, size_t errlen)
{
	char why[160];
	cJSON *j;
	size_t i;

	if (has_nul(body, len)) {
		err_set(err, errlen, "the request body holds a NUL character (\\u0000), which no "
			"name or target can contain");
		return NULL;
	}

	for (i = 0; i < len && isspace((unsigned char)body[i]); i++)
		;
	if (i == len) {
		if (empty_ok)
			return cJSON_CreateObject();
		err_set(err, errlen, "the request body is empty: a JSON object is expected");
		return NULL;
	}
	j = json_parse_exact(body, len, why, sizeof(why));
	if (!j) {
		err_set(err, errlen, "the request body is not JSON: %s", why);
		return NULL;
	}
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		err_set(err, errlen, "the request body must be a JSON object");
		return NULL;
	}
	return j;
}

static const cJSON *member(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* An optional string member: NULL if absent/null, -1 if another type. */
static int opt_string(const cJSON *o, const char *k, const char *path, const char **out,
		      char *err, size_t errlen)
{
	const cJSON *m = member(o, k);

	*out = NULL;
	if (!m || cJSON_IsNull(m))
		return 0;
	*out = json_get_string(m);
	if (!*out)
		return err_set(err, errlen, "%s%s must be a string", path, k);
	return 0;
}

static int parse_range(const cJSON *root, int64_t *from, int64_t *to, int required,
		       char *err, size_t errlen)
{
	const cJSON *r = member(root, "range");

	if (!r || cJSON_IsNull(r)) {
		if (!required)
			return 0;
		return err_set(err, errlen, "range is missing: {\"range\": {\"from\": ..., \"to\": ...}}");
	}
	if (!cJSON_IsObject(r))
		return err_set(err, errlen, "range must be an object {\"from\", \"to\"}");
	if (gf_time_parse(member(r, "from"), "range.from", from, err, errlen) < 0 ||
	    gf_time_parse(member(r, "to"), "range.to", to, err, errlen) < 0)
		return -1;
	if (*from > *to)
		return err_set(err, errlen, "range.from is after range.to");
	return 0;
}

/* An optional positive number member that fits a long (fractions cut). */
static int opt_count(const cJSON *o, const char *k, long *out, char *err, size_t errlen)
{
	const cJSON *m = member(o, k);
	double d;

	*out = 0;
	if (!m || cJSON_IsNull(m))
		return 0;
	if (json_get_double(m, &d) != JSON_OK)
		return err_set(err, errlen, "%s must be a number", k);
	if (!(d >= 0) || d > (double)LONG_MAX / 2)
		return err_set(err, errlen, "%s must be a positive number", k);
	*out = (long)d;
	return 0;
}

/* ---- /query ---- */

static int parse_target(struct gf_query_target *t, cJSON *o, size_t i, char *err, size_t errlen)
{
	char path[48];
	const char *type;
	cJSON *m;

	snprintf(path, sizeof(path), "targets[%zu].", i);
	if (!cJSON_IsObject(o))
		return err_set(err, errlen, "targets[%zu] must be an object", i);
	if (opt_string(o, "target", path, &t->target, err, errlen) < 0 ||
	    opt_string(o, "refId", path, &t->ref_id, err, errlen) < 0 ||
	    opt_string(o, "type", path, &type, err, errlen) < 0)
		return -1;
	if (!t->target)
		t->target = "";
	if (!type)
		t->type = GF_TT_NONE;
	else if (!strcmp(type, "timeserie") || !strcmp(type, "timeseries"))
		t->type = GF_TT_TIMESERIE;
	else if (!strcmp(type, "table"))
		t->type = GF_TT_TABLE;
	else
		return err_set(err, errlen, "%stype \"%s\": timeserie or table", path, type);
	m = cJSON_GetObjectItemCaseSensitive(o, "hide");
	if (m && !cJSON_IsNull(m)) {
		if (!cJSON_IsBool(m))
			return err_set(err, errlen, "%shide must be true or false", path);
		t->hide = cJSON_IsTrue(m);
	}
	m = cJSON_GetObjectItemCaseSensitive(o, "data");
	if (m && !cJSON_IsNull(m)) {
		if (!cJSON_IsObject(m))
			return err_set(err, errlen, "%sdata must be an object", path);
		t->fields = m;
	}
	m = cJSON_GetObjectItemCaseSensitive(o, "payload");
	if (m && !cJSON_IsNull(m)) {
		const char *s = json_get_string(m);

		if (s) {
			/* The JSON datasource's code editor may send the payload as text. */
			char why[160];
			cJSON *parsed;
			size_t k;

			for (k = 0; s[k] && isspace((unsigned char)s[k]); k++)
				;
			if (!s[k]) {
				t->has_payload = 1;
				return 0;
			}
			if (has_nul(s, strlen(s)))
				return err_set(err, errlen, "%spayload holds a NUL character (\\u0000)", path);
			parsed = json_parse_exact(s, strlen(s), why, sizeof(why));
			if (!parsed || !cJSON_IsObject(parsed)) {
				cJSON_Delete(parsed);
				return err_set(err, errlen, "%spayload is not a JSON object%s%s", path,
					       parsed ? "" : ": ", parsed ? "" : why);
			}
			/* Kept in the tree so it is freed with it. */
			cJSON_ReplaceItemInObjectCaseSensitive(o, "payload", parsed);
			m = parsed;
		}
		if (!cJSON_IsObject(m))
			return err_set(err, errlen, "%spayload must be an object", path);
		t->fields = m;
		t->has_payload = 1;
	}
	return 0;
}

static int parse_filters(struct gf_query_req *r, char *err, size_t errlen)
{
	const cJSON *fl = member(r->root, "adhocFilters"), *f;
	size_t n = 0;

	if (!fl || cJSON_IsNull(fl))
		fl = member(r->root, "filters");
	if (!fl || cJSON_IsNull(fl))
		return 0;
	if (!cJSON_IsArray(fl))
		return err_set(err, errlen, "adhocFilters must be an array");
	r->filters = calloc((size_t)cJSON_GetArraySize(fl) + 1, sizeof(*r->filters));
	if (!r->filters)
		return err_set(err, errlen, "out of memory");
	cJSON_ArrayForEach(f, fl) {
		struct gf_filter *g = &r->filters[n];
		char path[48];

		snprintf(path, sizeof(path), "adhocFilters[%zu].", n);
		if (!cJSON_IsObject(f))
			return err_set(err, errlen, "adhocFilters[%zu] must be an object", n);
		if (opt_string(f, "key", path, &g->key, err, errlen) < 0 ||
		    opt_string(f, "operator", path, &g->op, err, errlen) < 0 ||
		    opt_string(f, "value", path, &g->value, err, errlen) < 0)
			return -1;
		if (!g->key || !g->value)
			return err_set(err, errlen, "%skey and value are required", path);
		if (!g->op)
			g->op = "=";
		if (strcmp(g->op, "=") && strcmp(g->op, "!=") && strcmp(g->op, "=~") && strcmp(g->op, "!~"))
			return err_set(err, errlen, "%soperator \"%s\": =, !=, =~ or !~", path, g->op);
		r->n_filters = ++n;
	}
	return 0;
}

int gf_query_req_parse(struct gf_query_req *r, const char *body, size_t len, char *err, size_t errlen)
{
	const cJSON *ts;
	cJSON *t;
	long interval;
	size_t n = 0;

	memset(r, 0, sizeof(*r));
	r->root = parse_body(body, len, 0, err, errlen);
	if (!r->root)
		return -1;
	if (parse_range(r->root, &r->from_ns, &r->to_ns, 1, err, errlen) < 0 ||
	    opt_count(r->root, "intervalMs", &interval, err, errlen) < 0 ||
	    opt_count(r->root, "maxDataPoints", &r->max_data_points, err, errlen) < 0)
		goto fail;
	r->interval_ms = interval;
	if (member(r->root, "maxDataPoints") && !cJSON_IsNull(member(r->root, "maxDataPoints")) &&
	    r->max_data_points < 1) {
		err_set(err, errlen, "maxDataPoints must be at least 1");
		goto fail;
	}
	ts = member(r->root, "targets");
	if (!cJSON_IsArray(ts)) {
		err_set(err, errlen, "targets must be an array");
		goto fail;
	}
	r->targets = calloc((size_t)cJSON_GetArraySize(ts) + 1, sizeof(*r->targets));
	if (!r->targets) {
		err_set(err, errlen, "out of memory");
		goto fail;
	}
	cJSON_ArrayForEach(t, ts) {
		if (parse_target(&r->targets[n], t, n, err, errlen) < 0)
			goto fail;
		r->n_targets = ++n;
	}
	if (parse_filters(r, err, errlen) < 0)
		goto fail;
	return 0;
fail:
	gf_query_req_release(r);
	return -1;
}

void gf_query_req_release(struct gf_query_req *r)
{
	cJSON_Delete(r->root);
	free(r->targets);
	free(r->filters);
	memset(r, 0, sizeof(*r));
}

/* ---- /annotations ---- */

int gf_annotation_req_parse(struct gf_annotation_req *r, const char *body, size_t len,
			    char *err, size_t errlen)
{
	const cJSON *a;

	memset(r, 0, sizeof(*r));
	r->root = parse_body(body, len, 0, err, errlen);
	if (!r->root)
		return -1;
	if (parse_range(r->root, &r->from_ns, &r->to_ns, 1, err, errlen) < 0)
		goto fail;
	a = member(r->root, "annotation");
	if (!cJSON_IsObject(a)) {
		err_set(err, errlen, "annotation must be an object {\"query\": ...}");
		goto fail;
	}
	r->annotation = a;
	if (opt_string(a, "query", "annotation.", &r->query, err, errlen) < 0 ||
	    opt_string(a, "name", "annotation.", &r->name, err, errlen) < 0)
		goto fail;
	if (!r->query)
		r->query = "";
	return 0;
fail:
	gf_annotation_req_release(r);
	return -1;
}

void gf_annotation_req_release(struct gf_annotation_req *r)
{
	cJSON_Delete(r->root);
	memset(r, 0, sizeof(*r));
}

/* ---- the small ones ---- */

int gf_small_req_parse(struct gf_small_req *r, enum gf_small_kind kind, const char *body,
		       size_t len, char *err, size_t errlen)
{
	const cJSON *p;
	int64_t from, to;

	memset(r, 0, sizeof(*r));
	r->root = parse_body(body, len, 1, err, errlen);
	if (!r->root)
		return -1;
	switch (kind) {
	case GF_REQ_SEARCH:
		if (opt_string(r->root, "target", "", &r->target, err, errlen) < 0)
			goto fail;
		break;
	case GF_REQ_VARIABLE:
		p = member(r->root, "payload");
		if (p && !cJSON_IsNull(p) && !cJSON_IsObject(p)) {
			err_set(err, errlen, "payload must be an object {\"target\": ...}");
			goto fail;
		}
		if (opt_string(p, "target", "payload.", &r->target, err, errlen) < 0 ||
		    parse_range(r->root, &from, &to, 0, err, errlen) < 0)
			goto fail;
		break;
	case GF_REQ_METRICS:
	case GF_REQ_PAYLOAD_OPTIONS:
		if (opt_string(r->root, "metric", "", &r->metric, err, errlen) < 0)
			goto fail;
		p = member(r->root, "payload");
		if (p && !cJSON_IsNull(p)) {
			if (!cJSON_IsObject(p)) {
				err_set(err, errlen, "payload must be an object");
				goto fail;
			}
			r->payload = p;
		}
		if (kind == GF_REQ_METRICS)
			break;
		if (opt_string(r->root, "name", "", &r->name, err, errlen) < 0)
			goto fail;
		if (!r->name || !r->metric) {
			err_set(err, errlen, "metric and name are required");
			goto fail;
		}
		break;
	case GF_REQ_TAG_KEYS:
		break;
	case GF_REQ_TAG_VALUES:
		if (opt_string(r->root, "key", "", &r->key, err, errlen) < 0)
			goto fail;
		if (!r->key) {
			err_set(err, errlen, "key is required");
			goto fail;
		}
		break;
	}
	if (!r->target)
		r->target = "";
	return 0;
fail:
	gf_small_req_release(r);
	return -1;
}

void gf_small_req_release(struct gf_small_req *r)
{
	cJSON_Delete(r->root);
	memset(r, 0, sizeof(*r));
}

int gf_time_arg(const char *ms_v, const char *ms_name, const char *ns_v, const char *ns_name,
		int64_t *ns, char *err, size_t errlen)
{
	const char *v = ns_v;
	char *end;

	if (v) {
		errno = 0;
		*ns = strtoll(v, &end, 10);
		if (!*v || *end || errno) {
			snprintf(err, errlen, "%s: \"%s\" is not an integer of ns", ns_name, v);
			return -1;
		}
		return 0;
	}
	v = ms_v;
	if (!v) {
		snprintf(err, errlen, "%s is required (epoch ms, as Grafana's ${__%s}, or ISO 8601)",
			 ms_name, ms_name);
		return -1;
	}
	if (*v && strspn(v, "-0123456789.") == strlen(v)) {
		char json[64];
		cJSON *j;
		int rc;

		/* Through the same exact reader as Grafana's JSON bodies. */
		if (strlen(v) >= sizeof(json) - 1)
			goto bad;
		snprintf(json, sizeof(json), "%s", v);
		j = json_parse_exact(json, strlen(json), NULL, 0);
		if (!j)
			goto bad;
		rc = gf_time_parse(j, ms_name, ns, err, errlen);
		cJSON_Delete(j);
		return rc;
	}
	if (gf_time_parse_iso(v, ns) == 0)
		return 0;
bad:
	snprintf(err, errlen, "%s: \"%s\" is not epoch ms or an ISO 8601 time", ms_name, v);
	return -1;
}

int gf_range_args(const char *from, const char *from_ns, const char *to, const char *to_ns,
		  int64_t *from_out, int64_t *to_out, char *err, size_t errlen)
{
	if (gf_time_arg(from, "from", from_ns, "from_ns", from_out, err, errlen) < 0 ||
	    gf_time_arg(to, "to", to_ns, "to_ns", to_out, err, errlen) < 0)
		return -1;
	if (*from_out > *to_out) {
		snprintf(err, errlen, "from is after to");
		return -1;
	}
	return 0;
}

int gf_nb_times_arg(const char *v, const char *name, int32_t *out, char *err, size_t errlen)
{
	char *end;
	long n;

	if (!v)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < 1 || n > 65536) {
		snprintf(err, errlen, "%s must be 1..65536, not \"%s\"", name, v);
		return -1;
	}
	*out = (int32_t)n;
	return 0;
}
