/* Grafana request bodies (gf_request.h). */
#include "gf_request.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_int.h"
#include "json_time.h"

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
	if (json_time_parse(member(r, "from"), "range.from", from, err, errlen) < 0 ||
	    json_time_parse(member(r, "to"), "range.to", to, err, errlen) < 0)
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
