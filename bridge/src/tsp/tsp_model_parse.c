/* TSP JSON -> tsp_model: the generic tree parser, and the choice of reader (tsp_model.h). */
#include "tsp_model.h"

#include "json_fast.h"
#include "json_int.h"
#include "jsonw.h"
#include "strbuf.h"
#include "tg_states_reader.h"
#include "tsp_style.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * One pass over the cJSON tree. Each object's fields are picked in a single
 * walk over its children (pick()); arrays are counted once and allocated
 * once from the model's arena. Paths for error messages are a chain of
 * stack nodes, rendered only when something is wrong.
 */

/* Raw JSON (configuration parameters, schemas) is copied this deep at most. */
#define RAW_MAX_DEPTH 256
#define PATH_MAX_SEGS 32

struct path {
	const struct path *up;
	const char *key;        /* object member, or NULL for an array index */
	size_t idx;
};

struct ctx {
	struct arena *a;
	struct tsp_error *err;          /* may be NULL */
	enum tsp_err_kind failed;       /* what the last error was, even without err */
};

/* ---------- error reporting ---------- */

struct pbuf {
	char s[256];
	size_t n;
};

__attribute__((format(printf, 2, 3)))
static void pb_add(struct pbuf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (b->n >= sizeof(b->s) - 1)
		return;
	va_start(ap, fmt);
	r = vsnprintf(b->s + b->n, sizeof(b->s) - b->n, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	b->n += (size_t)r;
	if (b->n > sizeof(b->s) - 1)
		b->n = sizeof(b->s) - 1;
}

static int plain_key(const char *k)
{
	if (!*k)
		return 0;
	for (; *k; k++) {
		char ch = *k;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '$'))
			return 0;
	}
	return 1;
}

static void pb_seg(struct pbuf *b, const char *key, size_t idx)
{
	if (!key)
		pb_add(b, "[%zu]", idx);
	else if (!plain_key(key))
		/* Keys like "Annotation category" stay readable and unambiguous. */
		pb_add(b, "[\"%.64s\"]", key);
	else
		pb_add(b, b->n ? ".%.64s" : "%.64s", key);
}

static void path_render(struct pbuf *b, const struct path *p, const char *key)
{
	const struct path *segs[PATH_MAX_SEGS];
	size_t n = 0;
	int cut = 0;

	b->n = 0;
	b->s[0] = '\0';
	for (; p; p = p->up) {
		if (n == PATH_MAX_SEGS) {
			cut = 1;
			break;
		}
		segs[n++] = p;
	}
	if (cut)
		pb_add(b, "...");
	while (n--)
		pb_seg(b, segs[n]->key, segs[n]->idx);
	if (key)
		pb_seg(b, key, 0);
	if (!b->n)
		pb_add(b, "root");
}

__attribute__((format(printf, 4, 5)))
static int fail(struct ctx *c, const struct path *p, const char *key, const char *fmt, ...)
{
	struct pbuf b;
	char msg[320];
	va_list ap;

	c->failed = TSP_ERR_SCHEMA;
	path_render(&b, p, key);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return tsp_error_set(c->err, TSP_ERR_SCHEMA, 0, "%s: %s", b.s, msg);
}

static int nomem(struct ctx *c)
{
	c->failed = TSP_ERR_NOMEM;
	return tsp_error_set(c->err, TSP_ERR_NOMEM, 0, "out of memory while parsing a TSP model");
}

static const char *jtype(const cJSON *v)
{
	if (!v)
		return "nothing";
	if (json_is_number(v))
		return "a number";
	switch (v->type & 0xFF) {
	case cJSON_False:
	case cJSON_True:
		return "a boolean";
	case cJSON_NULL:
		return "null";
	case cJSON_String:
		return "a string";
	case cJSON_Array:
		return "an array";
	case cJSON_Object:
		return "an object";
	}
	return "an invalid value";
}

static int missing(struct ctx *c, const struct path *p, const char *key)
{
	return fail(c, p, key, "required field is missing");
}

static int need(struct ctx *c, const struct path *p, const char *key, const cJSON *v)
{
	return v ? 0 : missing(c, p, key);
}

/* ---------- field access ---------- */

static int is_null(const cJSON *v)
{
	return !v || cJSON_IsNull(v);
}

/* One walk over obj's members; out[i] = first member named keys[i] or NULL. */
static void pick(const cJSON *obj, const char *const *keys, size_t n, const cJSON **out)
{
	const cJSON *it;
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = NULL;
	for (it = obj->child; it; it = it->next) {
		const char *k = it->string;

		if (!k)
			continue;
		for (i = 0; i < n; i++) {
			if (!out[i] && k[0] == keys[i][0] && !strcmp(k, keys[i])) {
				out[i] = it;
				break;
			}
		}
	}
}

static size_t count_children(const cJSON *v)
{
	const cJSON *it;
	size_t n = 0;

	for (it = v->child; it; it = it->next)
		n++;
	return n;
}

static int expect_obj(struct ctx *c, const struct path *p, const char *key, const cJSON *v)
{
	if (!cJSON_IsObject(v))
		return fail(c, p, key, "expected an object, got %s", jtype(v));
	return 0;
}

static int expect_arr(struct ctx *c, const struct path *p, const char *key, const cJSON *v)
{
	if (!cJSON_IsArray(v))
		return fail(c, p, key, "expected an array, got %s", jtype(v));
	return 0;
}

/*
 * For an optional container: 0 when absent or null, 1 when it is there and
 * of the right type (then *n is its size), -1 on a type error.
 */
static int opt_arr(struct ctx *c, const struct path *p, const char *key,
		   const cJSON *v, size_t *n)
{
	*n = 0;
	if (is_null(v))
		return 0;
	if (expect_arr(c, p, key, v))
		return -1;
	*n = count_children(v);
	return 1;
}

static int req_arr(struct ctx *c, const struct path *p, const char *key,
		   const cJSON *v, size_t *n)
{
	if (!v)
		return missing(c, p, key);
	if (expect_arr(c, p, key, v))
		return -1;
	*n = count_children(v);
	return 0;
}

static int opt_obj(struct ctx *c, const struct path *p, const char *key, const cJSON *v)
{
	if (is_null(v))
		return 0;
	if (expect_obj(c, p, key, v))
		return -1;
	return 1;
}

static int dup_str(struct ctx *c, const char *s, const char **out)
{
	*out = arena_strdup(c->a, s);
	return *out ? 0 : nomem(c);
}

static int to_str(struct ctx *c, const struct path *p, const char *key,
		  const cJSON *v, const char **out)
{
	const char *s = json_get_string(v);

	if (!s)
		return fail(c, p, key, "expected a string, got %s", jtype(v));
	return dup_str(c, s, out);
}

static int req_str(struct ctx *c, const struct path *p, const char *key,
		   const cJSON *v, const char **out)
{
	if (!v)
		return missing(c, p, key);
	return to_str(c, p, key, v, out);
}

/* Ids go into upstream paths and name things to users: an empty one is the server's error. */
static int nonempty(struct ctx *c, const struct path *p, const char *key, const char *s)
{
	return *s ? 0 : fail(c, p, key, "empty");
}

static int opt_str(struct ctx *c, const struct path *p, const char *key,
		   const cJSON *v, const char *def, const char **out)
{
	if (is_null(v)) {
		*out = def;
		return 0;
	}
	return to_str(c, p, key, v, out);
}

static int to_i64(struct ctx *c, const struct path *p, const char *key,
		  const cJSON *v, int64_t *out)
{
	char nb[40];
	int rc = json_get_int64(v, out);

	switch (rc) {
	case JSON_OK:
		return 0;
	case JSON_ERANGE:
		return fail(c, p, key, "%s is out of int64 range",
			    json_number_text(v, nb, sizeof(nb)));
	case JSON_EFRAC:
		return fail(c, p, key, "%s is not an exact integer",
			    json_number_text(v, nb, sizeof(nb)));
	}
	return fail(c, p, key, "expected an integer, got %s", jtype(v));
}

static int req_i64(struct ctx *c, const struct path *p, const char *key,
		   const cJSON *v, int64_t *out)
{
	if (!v)
		return missing(c, p, key);
	return to_i64(c, p, key, v, out);
}

static int opt_i64(struct ctx *c, const struct path *p, const char *key,
		   const cJSON *v, int64_t def, int64_t *out)
{
	if (is_null(v)) {
		*out = def;
		return 0;
	}
	return to_i64(c, p, key, v, out);
}

static int opt_i32(struct ctx *c, const struct path *p, const char *key,
		   const cJSON *v, int32_t def, int32_t *out)
{
	int64_t t;

	if (is_null(v)) {
		*out = def;
		return 0;
	}
	if (to_i64(c, p, key, v, &t))
		return -1;
	if (t < INT32_MIN || t > INT32_MAX)
		return fail(c, p, key, "%" PRId64 " is out of int32 range", t);
	*out = (int32_t)t;
	return 0;
}

static int opt_bool(struct ctx *c, const struct path *p, const char *key,
		    const cJSON *v, int *out)
{
	*out = 0;
	if (is_null(v))
		return 0;
	if (!cJSON_IsBool(v))
		return fail(c, p, key, "expected a boolean, got %s", jtype(v));
	*out = cJSON_IsTrue(v);
	return 0;
}

/* Servers are known to send "required": "True"; take the string forms too. */
static int opt_bool_lenient(struct ctx *c, const struct path *p, const char *key,
			    const cJSON *v, int *out)
{
	const char *s = json_get_string(v);

	if (s) {
		if (!strcasecmp(s, "true")) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(s, "false")) {
			*out = 0;
			return 0;
		}
		return fail(c, p, key, "expected a boolean, got the string \"%.40s\"", s);
	}
	return opt_bool(c, p, key, v, out);
}

/* ---------- arrays of scalars ---------- */

static int str_list(struct ctx *c, const struct path *p, const char *key,
		    const cJSON *v, const char ***out, size_t *n)
{
	struct path pk = { p, key, 0 };
	const cJSON *it;
	const char **items;
	size_t i = 0;

	if (expect_arr(c, p, key, v))
		return -1;
	*n = count_children(v);
	items = arena_calloc(c->a, *n, sizeof(*items));
	if (!items)
		return nomem(c);
	for (it = v->child; it; it = it->next, i++) {
		struct path pi = { &pk, NULL, i };

		if (to_str(c, &pi, NULL, it, &items[i]))
			return -1;
	}
	*out = items;
	return 0;
}

static int opt_str_list(struct ctx *c, const struct path *p, const char *key,
			const cJSON *v, const char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (is_null(v))
		return 0;
	return str_list(c, p, key, v, out, n);
}

/* i64_list() of a packed array (json_fast.h): the same values, the same errors. */
static int i64_packed(struct ctx *c, const struct path *p, const char *key,
		      const struct json_packed *pk, int64_t **out, size_t *n)
{
	int64_t *x = arena_alloc_raw(c->a, pk->n * sizeof(*x) + 1);
	size_t i;

	if (!x)
		return nomem(c);
	if (pk->all_int) {
		memcpy(x, pk->i, pk->n * sizeof(*x));
	} else {
		for (i = 0; i < pk->n; i++) {
			/* A decimal among them: judged as the cJSON number it would have been. */
			cJSON num = { .type = cJSON_Number, .valuedouble = pk->d[i] };
			struct path pk_ = { p, key, 0 };
			struct path pi = { &pk_, NULL, i };

			if (to_i64(c, &pi, NULL, &num, &x[i]))
				return -1;
		}
	}
	*out = x;
	*n = pk->n;
	return 0;
}

static int i64_list(struct ctx *c, const struct path *p, const char *key,
		    const cJSON *v, int64_t **out, size_t *n)
{
	const struct json_packed *packed;
	const cJSON *it;
	int64_t *x;
	size_t i = 0;

	if (expect_arr(c, p, key, v))
		return -1;
	if ((packed = json_packed(v)))
		return i64_packed(c, p, key, packed, out, n);
	*n = count_children(v);
	x = arena_calloc(c->a, *n, sizeof(*x));
	if (!x)
		return nomem(c);
	/* Hot loop: paths are only built for the element that fails. */
	for (it = v->child; it; it = it->next, i++) {
		if (json_get_int64(it, &x[i]) != JSON_OK) {
			struct path pk = { p, key, 0 };
			struct path pi = { &pk, NULL, i };

			return to_i64(c, &pi, NULL, it, &x[i]);
		}
	}
	*out = x;
	return 0;
}

/* *dec: the decimal codes of a packed array with decimals (json_fast.h), else NULL. */
static int double_list(struct ctx *c, const struct path *p, const char *key,
		       const cJSON *v, double **out, size_t *n, uint64_t **dec)
{
	const struct json_packed *packed;
	const cJSON *it;
	double *y;
	size_t i = 0;

	*dec = NULL;
	if (expect_arr(c, p, key, v))
		return -1;
	if ((packed = json_packed(v))) {
		y = arena_alloc_raw(c->a, packed->n * sizeof(*y) + 1);
		if (!y)
			return nomem(c);
		memcpy(y, packed->d, packed->n * sizeof(*y));
		if (!packed->all_int) {
			*dec = arena_alloc_raw(c->a, packed->n * sizeof(**dec) + 1);
			if (!*dec)
				return nomem(c);
			memcpy(*dec, packed->i, packed->n * sizeof(**dec));
		}
		*out = y;
		*n = packed->n;
		return 0;
	}
	*n = count_children(v);
	y = arena_calloc(c->a, *n, sizeof(*y));
	if (!y)
		return nomem(c);
	for (it = v->child; it; it = it->next, i++) {
		if (json_get_double(it, &y[i]) == JSON_OK)
			continue;
		/* Servers write a missing sample (NaN) as null. */
		if (cJSON_IsNull(it)) {
			y[i] = NAN;
			continue;
		} else {
			struct path pk = { p, key, 0 };
			struct path pi = { &pk, NULL, i };

			return fail(c, &pi, NULL, "expected a number, got %s", jtype(it));
		}
	}
	*out = y;
	return 0;
}

/* ---------- raw JSON copy ---------- */

/* Compact JSON text of v; marked long integers come out as written. */
static int emit_raw(struct strbuf *sb, const cJSON *v, int depth)
{
	const cJSON *it;
	char nb[40];

	if (depth > RAW_MAX_DEPTH)
		return -2;
	if (json_is_number(v)) {
		const char *t;

		if (cJSON_IsNumber(v)) {
			double d = v->valuedouble;

			/* Shortest of %.15g/%.17g that reads back the same. */
			snprintf(nb, sizeof(nb), "%.15g", d);
			if (strtod(nb, NULL) != d)
				snprintf(nb, sizeof(nb), "%.17g", d);
			t = nb;
		} else {
			t = json_number_text(v, nb, sizeof(nb));
		}
		return strbuf_addstr(sb, t);
	}
	switch (v->type & 0xFF) {
	case cJSON_False:
		return strbuf_addstr(sb, "false");
	case cJSON_True:
		return strbuf_addstr(sb, "true");
	case cJSON_NULL:
		return strbuf_addstr(sb, "null");
	case cJSON_String:
		return json_escape(sb, v->valuestring ? v->valuestring : "",
				   v->valuestring ? strlen(v->valuestring) : 0);
	case cJSON_Array:
	case cJSON_Object: {
		int obj = cJSON_IsObject(v);

		if (strbuf_addch(sb, obj ? '{' : '[') < 0)
			return -1;
		for (it = v->child; it; it = it->next) {
			int r;

			if (it != v->child && strbuf_addch(sb, ',') < 0)
				return -1;
			if (obj) {
				const char *k = it->string ? it->string : "";

				if (json_escape(sb, k, strlen(k)) < 0 || strbuf_addch(sb, ':') < 0)
					return -1;
			}
			r = emit_raw(sb, it, depth + 1);
			if (r)
				return r;
		}
		return strbuf_addch(sb, obj ? '}' : ']');
	}
	}
	return -3;
}

/* An optional object kept as JSON text; NULL if absent or null. */
static int opt_raw_obj(struct ctx *c, const struct path *p, const char *key,
		       const cJSON *v, const char **out)
{
	struct strbuf sb = STRBUF_INIT;
	int r, ret = -1;

	*out = NULL;
	r = opt_obj(c, p, key, v);
	if (r <= 0)
		return r;
	r = emit_raw(&sb, v, 0);
	if (r == -1) {
		nomem(c);
		goto out;
	}
	if (r == -2) {
		fail(c, p, key, "nested deeper than %d levels", RAW_MAX_DEPTH);
		goto out;
	}
	if (r) {
		fail(c, p, key, "holds a value that is not JSON");
		goto out;
	}
	*out = arena_strndup(c->a, strbuf_str(&sb), sb.len);
	if (!*out) {
		nomem(c);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&sb);
	return ret;
}

/* ---------- styles and metadata ---------- */

static int style_values(struct ctx *c, const struct path *p, const cJSON *v,
			struct tsp_style *s)
{
	const cJSON *it;
	size_t i = 0;

	s->n_values = count_children(v);
	s->values = arena_calloc(c->a, s->n_values, sizeof(*s->values));
	if (!s->values)
		return nomem(c);
	for (it = v->child; it; it = it->next, i++) {
		struct tsp_style_value *sv = &s->values[i];

		if (dup_str(c, it->string ? it->string : "", &sv->key))
			return -1;
		if (json_is_number(it)) {
			sv->is_number = 1;
			json_get_double(it, &sv->num);
		} else if (json_get_string(it)) {
			if (dup_str(c, it->valuestring, &sv->str))
				return -1;
		} else {
			return fail(c, p, sv->key, "expected a string or a number, got %s",
				    jtype(it));
		}
	}
	return 0;
}

/* p is the path of v, a style object. */
static int style_into(struct ctx *c, const struct path *p, const cJSON *v,
		      struct tsp_style *s)
{
	static const char *const keys[] = { "parentKey", "values" };
	const cJSON *f[2];
	struct path pv = { p, "values", 0 };
	int r;

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, 2, f);
	if (opt_str(c, p, keys[0], f[0], NULL, &s->parent_key))
		return -1;
	/* `values` is required by API.yaml, yet servers omit it. */
	r = opt_obj(c, p, keys[1], f[1]);
	if (r <= 0)
		return r;
	return style_values(c, &pv, f[1], s);
}

static int opt_style(struct ctx *c, const struct path *p, const char *key,
		     const cJSON *v, struct tsp_style **out)
{
	struct path ps = { p, key, 0 };

	*out = NULL;
	if (is_null(v))
		return 0;
	if (expect_obj(c, p, key, v))
		return -1;
	*out = arena_alloc(c->a, sizeof(**out));
	if (!*out)
		return nomem(c);
	return style_into(c, &ps, v, *out);
}

static int metadata(struct ctx *c, const struct path *p, const char *key,
		    const cJSON *v, struct tsp_tree_entry *e)
{
	struct path pm = { p, key, 0 };
	const cJSON *it, *jt;
	size_t i = 0;
	int r = opt_obj(c, p, key, v);

	if (r <= 0)
		return r;
	e->n_metadata = count_children(v);
	e->metadata = arena_calloc(c->a, e->n_metadata, sizeof(*e->metadata));
	if (!e->metadata)
		return nomem(c);
	for (it = v->child; it; it = it->next, i++) {
		struct tsp_metadata *md = &e->metadata[i];
		const char *k = it->string ? it->string : "";
		struct path pk = { &pm, k, 0 };
		size_t j = 0;

		if (dup_str(c, k, &md->key) || expect_arr(c, &pm, k, it))
			return -1;
		md->n_values = count_children(it);
		md->values = arena_calloc(c->a, md->n_values, sizeof(*md->values));
		if (!md->values)
			return nomem(c);
		for (jt = it->child; jt; jt = jt->next, j++) {
			struct tsp_meta_value *mv = &md->values[j];

			if (json_is_number(jt)) {
				mv->is_number = 1;
				json_get_double(jt, &mv->num);
			} else if (json_get_string(jt)) {
				if (dup_str(c, jt->valuestring, &mv->str))
					return -1;
			} else {
				struct path pj = { &pk, NULL, j };

				return fail(c, &pj, NULL, "expected a string or a number, got %s",
					    jtype(jt));
			}
		}
	}
	return 0;
}

/* A JSON object of string values (trace properties, tooltips). */
static int kv_map(struct ctx *c, const struct path *p, const char *key, const cJSON *v,
		  struct tsp_kv **out, size_t *n)
{
	struct path pm = { p, key, 0 };
	struct tsp_kv *kv;
	const cJSON *it;
	size_t i = 0;

	*n = count_children(v);
	kv = arena_calloc(c->a, *n, sizeof(*kv));
	if (!kv)
		return nomem(c);
	for (it = v->child; it; it = it->next, i++) {
		const char *k = it->string ? it->string : "";

		if (dup_str(c, k, &kv[i].key) ||
		    opt_str(c, key ? &pm : p, k, it, "", &kv[i].value))
			return -1;
	}
	*out = kv;
	return 0;
}

/* ---------- bare models ---------- */

static int parse_health(struct ctx *c, const struct path *p, const cJSON *v,
			struct tsp_health *h)
{
	static const char *const keys[] = { "status" };
	const cJSON *f[1];

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, 1, f);
	return req_str(c, p, keys[0], f[0], &h->status);
}

static int parse_identifier(struct ctx *c, const struct path *p, const cJSON *v,
			    struct tsp_identifier *id)
{
	enum { VER, PROD, TSPV, OS, ARCH, OSV, BUILD, LAUNCH, CPU, MEM, N };
	static const char *const keys[N] = {
		"version", "productId", "tspVersion", "os", "osArch", "osVersion",
		"buildTime", "launcherName", "cpuCount", "maxMemory",
	};
	const cJSON *f[N];

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, N, f);
	if (req_str(c, p, keys[VER], f[VER], &id->version) ||
	    opt_str(c, p, keys[PROD], f[PROD], NULL, &id->product_id) ||
	    opt_str(c, p, keys[TSPV], f[TSPV], NULL, &id->tsp_version) ||
	    opt_str(c, p, keys[OS], f[OS], NULL, &id->os) ||
	    opt_str(c, p, keys[ARCH], f[ARCH], NULL, &id->os_arch) ||
	    opt_str(c, p, keys[OSV], f[OSV], NULL, &id->os_version) ||
	    opt_str(c, p, keys[BUILD], f[BUILD], NULL, &id->build_time) ||
	    opt_str(c, p, keys[LAUNCH], f[LAUNCH], NULL, &id->launcher_name) ||
	    opt_i64(c, p, keys[CPU], f[CPU], -1, &id->cpu_count) ||
	    opt_i64(c, p, keys[MEM], f[MEM], -1, &id->max_memory))
		return -1;
	return 0;
}

static int parse_trace(struct ctx *c, const struct path *p, const cJSON *v,
		       struct tsp_trace *t)
{
	enum { UUID, NAME, PATH, START, END, NB, IDX, PROPS, N };
	static const char *const keys[N] = {
		"UUID", "name", "path", "start", "end", "nbEvents", "indexingStatus",
		"properties",
	};
	const cJSON *f[N];
	int r;

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, N, f);
	if (req_str(c, p, keys[UUID], f[UUID], &t->uuid) ||
	    req_str(c, p, keys[NAME], f[NAME], &t->name) ||
	    req_str(c, p, keys[PATH], f[PATH], &t->path) ||
	    req_i64(c, p, keys[START], f[START], &t->start) ||
	    req_i64(c, p, keys[END], f[END], &t->end) ||
	    req_i64(c, p, keys[NB], f[NB], &t->nb_events) ||
	    req_str(c, p, keys[IDX], f[IDX], &t->indexing_status))
		return -1;
	/* Required by API.yaml, but experiments' traces come without it. */
	r = opt_obj(c, p, keys[PROPS], f[PROPS]);
	if (r <= 0)
		return r;
	return kv_map(c, p, keys[PROPS], f[PROPS], &t->properties, &t->n_properties);
}

static int parse_traces(struct ctx *c, const struct path *p, const char *key,
			const cJSON *v, struct tsp_trace **out, size_t *n)
{
	struct path pk = { p, key, 0 };
	const cJSON *it;
	size_t i = 0;

	*out = arena_calloc(c->a, *n, sizeof(**out));
	if (!*out)
		return nomem(c);
	for (it = v->child; it; it = it->next, i++) {
		struct path pi = { key ? &pk : p, NULL, i };

		if (parse_trace(c, &pi, it, &(*out)[i]))
			return -1;
	}
	return 0;
}

static int parse_experiment(struct ctx *c, const struct path *p, const cJSON *v,
			    struct tsp_experiment *e)
{
	enum { UUID, NAME, START, END, NB, IDX, TRACES, N };
	static const char *const keys[N] = {
		"UUID", "name", "start", "end", "nbEvents", "indexingStatus", "traces",
	};
	const cJSON *f[N];

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, N, f);
	if (req_str(c, p, keys[UUID], f[UUID], &e->uuid) ||
	    nonempty(c, p, keys[UUID], e->uuid) ||
	    req_str(c, p, keys[NAME], f[NAME], &e->name) ||
	    req_i64(c, p, keys[START], f[START], &e->start) ||
	    req_i64(c, p, keys[END], f[END], &e->end) ||
	    req_i64(c, p, keys[NB], f[NB], &e->nb_events) ||
	    req_str(c, p, keys[IDX], f[IDX], &e->indexing_status) ||
	    req_arr(c, p, keys[TRACES], f[TRACES], &e->n_traces))
		return -1;
	return parse_traces(c, p, keys[TRACES], f[TRACES], &e->traces, &e->n_traces);
}

static int parse_configuration(struct ctx *c, const struct path *p, const cJSON *v,
			       struct tsp_configuration *cf)
{
	enum { ID, NAME, SRC, DESC, PARAMS, N };
	static const char *const keys[N] = {
		"id", "name", "sourceTypeId", "description", "parameters",
	};
	const cJSON *f[N];

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, N, f);
	if (req_str(c, p, keys[ID], f[ID], &cf->id) ||
	    req_str(c, p, keys[NAME], f[NAME], &cf->name) ||
	    req_str(c, p, keys[SRC], f[SRC], &cf->source_type_id) ||
	    opt_str(c, p, keys[DESC], f[DESC], NULL, &cf->description) ||
	    opt_raw_obj(c, p, keys[PARAMS], f[PARAMS], &cf->parameters))
		return -1;
	return 0;
}

static int parse_output(struct ctx *c, const struct path *p, const cJSON *v,
			struct tsp_output *o)
{
	enum { ID, NAME, DESC, TYPE, PARENT, CONF, CAPS, N };
	static const char *const keys[N] = {
		"id", "name", "description", "type", "parentId", "configuration",
		"capabilities",
	};
	static const char *const cap_keys[] = { "canCreate", "canDelete" };
	const cJSON *f[N], *cf[2];
	struct path pc = { p, keys[CAPS], 0 }, pconf = { p, keys[CONF], 0 };
	int r;

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, N, f);
	if (req_str(c, p, keys[ID], f[ID], &o->id) ||
	    nonempty(c, p, keys[ID], o->id) ||
	    req_str(c, p, keys[NAME], f[NAME], &o->name) ||
	    req_str(c, p, keys[DESC], f[DESC], &o->description) ||
	    req_str(c, p, keys[TYPE], f[TYPE], &o->type_name) ||
	    opt_str(c, p, keys[PARENT], f[PARENT], NULL, &o->parent_id))
		return -1;
	o->type = tsp_output_type_parse(o->type_name);
	r = opt_obj(c, p, keys[CONF], f[CONF]);
	if (r < 0)
		return -1;
	if (r) {
		o->configuration = arena_alloc(c->a, sizeof(*o->configuration));
		if (!o->configuration)
			return nomem(c);
		if (parse_configuration(c, &pconf, f[CONF], o->configuration))
			return -1;
	}
	r = opt_obj(c, p, keys[CAPS], f[CAPS]);
	if (r <= 0)
		return r;
	pick(f[CAPS], cap_keys, 2, cf);
	if (opt_bool(c, &pc, cap_keys[0], cf[0], &o->can_create) ||
	    opt_bool(c, &pc, cap_keys[1], cf[1], &o->can_delete))
		return -1;
	return 0;
}

static int parse_source_type(struct ctx *c, const struct path *p, const cJSON *v,
			     struct tsp_config_source_type *st)
{
	enum { ID, NAME, DESC, PARAMS, SCHEMA, N };
	static const char *const keys[N] = {
		"id", "name", "description", "parameterDescriptors", "schema",
	};
	enum { P_KEY, P_DESC, P_TYPE, P_REQ, PN };
	static const char *const pkeys[PN] = { "keyName", "description", "dataType", "required" };
	struct path pp = { p, keys[PARAMS], 0 };
	const cJSON *f[N], *it;
	size_t i = 0;
	int r;

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, N, f);
	if (req_str(c, p, keys[ID], f[ID], &st->id) ||
	    req_str(c, p, keys[NAME], f[NAME], &st->name) ||
	    opt_str(c, p, keys[DESC], f[DESC], NULL, &st->description) ||
	    opt_raw_obj(c, p, keys[SCHEMA], f[SCHEMA], &st->schema))
		return -1;
	r = opt_arr(c, p, keys[PARAMS], f[PARAMS], &st->n_params);
	if (r <= 0)
		return r;
	st->params = arena_calloc(c->a, st->n_params, sizeof(*st->params));
	if (!st->params)
		return nomem(c);
	for (it = f[PARAMS]->child; it; it = it->next, i++) {
		struct tsp_config_param *cp = &st->params[i];
		struct path pi = { &pp, NULL, i };
		const cJSON *g[PN];

		if (expect_obj(c, &pi, NULL, it))
			return -1;
		pick(it, pkeys, PN, g);
		if (req_str(c, &pi, pkeys[P_KEY], g[P_KEY], &cp->key_name) ||
		    opt_str(c, &pi, pkeys[P_DESC], g[P_DESC], NULL, &cp->description) ||
		    opt_str(c, &pi, pkeys[P_TYPE], g[P_TYPE], NULL, &cp->data_type) ||
		    opt_bool_lenient(c, &pi, pkeys[P_REQ], g[P_REQ], &cp->required))
			return -1;
	}
	return 0;
}

/*
 * A root array of T: count, allocate once, parse each element at "[i]".
 * The element parser has the shape of parse_trace().
 */
#define PARSE_ROOT_ARRAY(c, v, items, n, fn)                                   \
	do {                                                                   \
		const cJSON *it_;                                              \
		size_t i_ = 0;                                                 \
		if (expect_arr((c), NULL, NULL, (v)))                          \
			return -1;                                             \
		(n) = count_children(v);                                       \
		(items) = arena_calloc((c)->a, (n), sizeof(*(items)));         \
		if (!(items))                                                  \
			return nomem(c);                                       \
		for (it_ = (v)->child; it_; it_ = it_->next, i_++) {           \
			struct path pi_ = { NULL, NULL, i_ };                  \
			if (fn((c), &pi_, it_, &(items)[i_]))                  \
				return -1;                                     \
		}                                                              \
	} while (0)

/*
 * A list whose malformed elements are left out (tsp_experiments): each is
 * parsed in turn, a schema failure is recorded and cleared, and the good
 * ones are packed to the front. Out of memory still fails the whole list.
 */
#define PARSE_ROOT_LIST(c, v, list, fn)                                        \
	do {                                                                   \
		const cJSON *it_;                                              \
		size_t i_ = 0, k_ = 0, cap_;                                   \
		if (expect_arr((c), NULL, NULL, (v)))                          \
			return -1;                                             \
		cap_ = count_children(v);                                      \
		(list).items = arena_calloc((c)->a, cap_, sizeof(*(list).items)); \
		if (!(list).items)                                             \
			return nomem(c);                                       \
		for (it_ = (v)->child; it_; it_ = it_->next, i_++) {           \
			struct path pi_ = { NULL, NULL, i_ };                  \
			if (!fn((c), &pi_, it_, &(list).items[k_])) {          \
				k_++;                                          \
				continue;                                      \
			}                                                      \
			if ((c)->failed != TSP_ERR_SCHEMA || skip_element(c, &(list).skipped)) \
				return -1;                                     \
			memset(&(list).items[k_], 0, sizeof(*(list).items));   \
			(list).n_skipped++;                                    \
		}                                                              \
		(list).n = k_;                                                 \
	} while (0)

/* Keeps the first skipped element's reason and clears the failure; -1 when out of memory. */
static int skip_element(struct ctx *c, const char **why)
{
	if (!*why) {
		*why = arena_strdup(c->a, c->err && c->err->msg[0] ? c->err->msg : "malformed");
		if (!*why)
			return nomem(c);
	}
	c->failed = TSP_OK;
	tsp_error_clear(c->err);
	return 0;
}

/* ---------- wrapped models ---------- */

static int parse_tree_entry(struct ctx *c, const struct path *p, const cJSON *v,
			    struct tsp_tree_entry *e)
{
	enum { ID, PARENT, LABELS, HASDATA, DEF, START, END, STYLE, META, N };
	static const char *const keys[N] = {
		"id", "parentId", "labels", "hasData", "isDefault", "start", "end",
		"style", "metadata",
	};
	const cJSON *f[N];

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, N, f);
	if (req_i64(c, p, keys[ID], f[ID], &e->id) ||
	    opt_i64(c, p, keys[PARENT], f[PARENT], -1, &e->parent_id) ||
	    need(c, p, keys[LABELS], f[LABELS]) ||
	    str_list(c, p, keys[LABELS], f[LABELS], &e->labels, &e->n_labels) ||
	    opt_bool(c, p, keys[HASDATA], f[HASDATA], &e->has_data) ||
	    opt_bool(c, p, keys[DEF], f[DEF], &e->is_default))
		return -1;
	/* Time graph entries carry a range; other trees do not. */
	if (!is_null(f[START]) || !is_null(f[END])) {
		if (is_null(f[START]))
			return missing(c, p, keys[START]);
		if (is_null(f[END]))
			return missing(c, p, keys[END]);
		if (to_i64(c, p, keys[START], f[START], &e->start) ||
		    to_i64(c, p, keys[END], f[END], &e->end))
			return -1;
		e->has_range = 1;
	}
	if (opt_style(c, p, keys[STYLE], f[STYLE], &e->style) ||
	    metadata(c, p, keys[META], f[META], e))
		return -1;
	return 0;
}

static int parse_tree(struct ctx *c, const struct path *p, const cJSON *v,
		      struct tsp_tree *t)
{
	enum { AUTO, ENTRIES, HEADERS, N };
	static const char *const keys[N] = { "autoExpandLevel", "entries", "headers" };
	enum { H_NAME, H_TIP, H_TYPE, HN };
	static const char *const hkeys[HN] = { "name", "tooltip", "dataType" };
	struct path pe = { p, keys[ENTRIES], 0 }, ph = { p, keys[HEADERS], 0 };
	const cJSON *f[N], *it;
	int32_t lvl = -1;
	size_t i;
	int r;

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, N, f);
	if (opt_i32(c, p, keys[AUTO], f[AUTO], -1, &lvl) ||
	    req_arr(c, p, keys[ENTRIES], f[ENTRIES], &t->n_entries))
		return -1;
	t->auto_expand_level = lvl;
	t->entries = arena_calloc(c->a, t->n_entries, sizeof(*t->entries));
	if (!t->entries)
		return nomem(c);
	for (it = f[ENTRIES]->child, i = 0; it; it = it->next, i++) {
		struct path pi = { &pe, NULL, i };

		if (parse_tree_entry(c, &pi, it, &t->entries[i]))
			return -1;
	}
	/* Required by API.yaml; the bridge can live without column headers. */
	r = opt_arr(c, p, keys[HEADERS], f[HEADERS], &t->n_headers);
	if (r <= 0)
		return r;
	t->headers = arena_calloc(c->a, t->n_headers, sizeof(*t->headers));
	if (!t->headers)
		return nomem(c);
	for (it = f[HEADERS]->child, i = 0; it; it = it->next, i++) {
		struct tsp_tree_header *h = &t->headers[i];
		struct path pi = { &ph, NULL, i };
		const cJSON *g[HN];

		if (expect_obj(c, &pi, NULL, it))
			return -1;
		pick(it, hkeys, HN, g);
		if (req_str(c, &pi, hkeys[H_NAME], g[H_NAME], &h->name) ||
		    opt_str(c, &pi, hkeys[H_TIP], g[H_TIP], "", &h->tooltip) ||
		    opt_str(c, &pi, hkeys[H_TYPE], g[H_TYPE], NULL, &h->data_type))
			return -1;
	}
	return 0;
}

static int parse_axis(struct ctx *c, const struct path *p, const char *key,
		      const cJSON *v, struct tsp_axis_description **out)
{
	enum { LABEL, UNIT, TYPE, DOMAIN, N };
	static const char *const keys[N] = { "label", "unit", "dataType", "axisDomain" };
	enum { D_TYPE, D_START, D_END, D_CATS, DN };
	static const char *const dkeys[DN] = { "type", "start", "end", "categories" };
	struct path pa = { p, key, 0 }, pd = { &pa, keys[DOMAIN], 0 };
	struct tsp_axis_description *ax;
	const cJSON *f[N], *g[DN];
	int r = opt_obj(c, p, key, v);

	*out = NULL;
	if (r <= 0)
		return r;
	ax = arena_alloc(c->a, sizeof(*ax));
	if (!ax)
		return nomem(c);
	pick(v, keys, N, f);
	if (opt_str(c, &pa, keys[LABEL], f[LABEL], NULL, &ax->label) ||
	    opt_str(c, &pa, keys[UNIT], f[UNIT], NULL, &ax->unit) ||
	    opt_str(c, &pa, keys[TYPE], f[TYPE], NULL, &ax->data_type))
		return -1;
	r = opt_obj(c, &pa, keys[DOMAIN], f[DOMAIN]);
	if (r < 0)
		return -1;
	if (r) {
		pick(f[DOMAIN], dkeys, DN, g);
		if (req_str(c, &pd, dkeys[D_TYPE], g[D_TYPE], &ax->domain_type) ||
		    opt_str_list(c, &pd, dkeys[D_CATS], g[D_CATS], &ax->domain_categories,
				 &ax->n_domain_categories))
			return -1;
		if (!is_null(g[D_START]) || !is_null(g[D_END])) {
			if (req_i64(c, &pd, dkeys[D_START], g[D_START], &ax->domain_start) ||
			    req_i64(c, &pd, dkeys[D_END], g[D_END], &ax->domain_end))
				return -1;
			ax->has_domain_range = 1;
		}
	}
	*out = ax;
	return 0;
}

static int x_count_ok(struct ctx *c, const struct path *p, const char *key,
		      size_t nx, size_t ny)
{
	if (nx != ny)
		return fail(c, p, key, "%zu elements, but yValues has %zu", nx, ny);
	return 0;
}

static int parse_series(struct ctx *c, const struct path *p, const cJSON *v,
			struct tsp_xy_series *s)
{
	enum { ID, NAME, XV, XC, XR, YV, STYLE, XD, YD, N };
	static const char *const keys[N] = {
		"seriesId", "seriesName", "xValues", "xCategories", "xRanges", "yValues",
		"style", "xValuesDescription", "yValuesDescription",
	};
	static const char *const rkeys[] = { "start", "end" };
	struct path pr = { p, keys[XR], 0 };
	const cJSON *f[N], *it;
	size_t i;
	int r;

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, N, f);
	if (req_i64(c, p, keys[ID], f[ID], &s->id) ||
	    req_str(c, p, keys[NAME], f[NAME], &s->name) ||
	    need(c, p, keys[YV], f[YV]) ||
	    double_list(c, p, keys[YV], f[YV], &s->y, &s->n_y, &s->y_dec))
		return -1;
	if (!is_null(f[XV]) && (i64_list(c, p, keys[XV], f[XV], &s->x, &s->n_x) ||
				x_count_ok(c, p, keys[XV], s->n_x, s->n_y)))
		return -1;
	if (opt_str_list(c, p, keys[XC], f[XC], &s->x_categories, &s->n_x_categories) ||
	    (s->x_categories && x_count_ok(c, p, keys[XC], s->n_x_categories, s->n_y)))
		return -1;
	r = opt_arr(c, p, keys[XR], f[XR], &s->n_x_ranges);
	if (r < 0)
		return -1;
	if (r) {
		if (x_count_ok(c, p, keys[XR], s->n_x_ranges, s->n_y))
			return -1;
		s->x_ranges = arena_calloc(c->a, s->n_x_ranges, sizeof(*s->x_ranges));
		if (!s->x_ranges)
			return nomem(c);
		for (it = f[XR]->child, i = 0; it; it = it->next, i++) {
			struct path pi = { &pr, NULL, i };
			const cJSON *g[2];

			if (expect_obj(c, &pi, NULL, it))
				return -1;
			pick(it, rkeys, 2, g);
			if (req_i64(c, &pi, rkeys[0], g[0], &s->x_ranges[i].start) ||
			    req_i64(c, &pi, rkeys[1], g[1], &s->x_ranges[i].end))
				return -1;
		}
	}
	if (opt_style(c, p, keys[STYLE], f[STYLE], &s->style) ||
	    parse_axis(c, p, keys[XD], f[XD], &s->x_desc) ||
	    parse_axis(c, p, keys[YD], f[YD], &s->y_desc))
		return -1;
	return 0;
}

static int parse_xy(struct ctx *c, const struct path *p, const cJSON *v, struct tsp_xy *xy)
{
	static const char *const keys[] = { "title", "series" };
	struct path ps = { p, keys[1], 0 };
	const cJSON *f[2], *it;
	size_t i = 0;

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, 2, f);
	if (req_str(c, p, keys[0], f[0], &xy->title) ||
	    req_arr(c, p, keys[1], f[1], &xy->n_series))
		return -1;
	xy->series = arena_calloc(c->a, xy->n_series, sizeof(*xy->series));
	if (!xy->series)
		return nomem(c);
	for (it = f[1]->child; it; it = it->next, i++) {
		struct path pi = { &ps, NULL, i };

		if (parse_series(c, &pi, it, &xy->series[i]))
			return -1;
	}
	return 0;
}

static int parse_tg_state(struct ctx *c, const struct path *p, const cJSON *v,
			  struct tsp_tg_state *st)
{
	enum { START, END, LABEL, TAGS, STYLE, N };
	static const char *const keys[N] = { "start", "end", "label", "tags", "style" };
	const cJSON *f[N];

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, N, f);
	if (req_i64(c, p, keys[START], f[START], &st->start) ||
	    req_i64(c, p, keys[END], f[END], &st->end) ||
	    opt_str(c, p, keys[LABEL], f[LABEL], NULL, &st->label) ||
	    opt_i32(c, p, keys[TAGS], f[TAGS], 0, &st->tags) ||
	    opt_style(c, p, keys[STYLE], f[STYLE], &st->style))
		return -1;
	return 0;
}

static int parse_tg_states(struct ctx *c, const struct path *p, const cJSON *v,
			   struct tsp_tg_states *ts)
{
	static const char *const keys[] = { "rows" };
	static const char *const rkeys[] = { "entryId", "states" };
	struct path pr = { p, keys[0], 0 };
	const cJSON *f[1], *it, *jt;
	size_t i = 0, j;

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, 1, f);
	if (req_arr(c, p, keys[0], f[0], &ts->n_rows))
		return -1;
	ts->rows = arena_calloc(c->a, ts->n_rows, sizeof(*ts->rows));
	if (!ts->rows)
		return nomem(c);
	for (it = f[0]->child; it; it = it->next, i++) {
		struct tsp_tg_row *row = &ts->rows[i];
		struct path pi = { &pr, NULL, i }, ps = { &pi, rkeys[1], 0 };
		const cJSON *g[2];

		if (expect_obj(c, &pi, NULL, it))
			return -1;
		pick(it, rkeys, 2, g);
		if (req_i64(c, &pi, rkeys[0], g[0], &row->entry_id) ||
		    req_arr(c, &pi, rkeys[1], g[1], &row->n_states))
			return -1;
		row->states = arena_calloc(c->a, row->n_states, sizeof(*row->states));
		if (!row->states)
			return nomem(c);
		for (jt = g[1]->child, j = 0; jt; jt = jt->next, j++) {
			struct path pj = { &ps, NULL, j };

			if (parse_tg_state(c, &pj, jt, &row->states[j]))
				return -1;
		}
	}
	return 0;
}

static int parse_arrow(struct ctx *c, const struct path *p, const cJSON *v,
		       struct tsp_tg_arrow *a)
{
	enum { SRC, DST, START, END, STYLE, N };
	static const char *const keys[N] = { "sourceId", "targetId", "start", "end", "style" };
	const cJSON *f[N];

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, N, f);
	if (req_i64(c, p, keys[SRC], f[SRC], &a->source_id) ||
	    req_i64(c, p, keys[DST], f[DST], &a->target_id) ||
	    req_i64(c, p, keys[START], f[START], &a->start) ||
	    req_i64(c, p, keys[END], f[END], &a->end) ||
	    opt_style(c, p, keys[STYLE], f[STYLE], &a->style))
		return -1;
	return 0;
}

static int parse_column(struct ctx *c, const struct path *p, const cJSON *v,
			struct tsp_table_column *col)
{
	enum { ID, NAME, DESC, TYPE, N };
	static const char *const keys[N] = { "id", "name", "description", "type" };
	const cJSON *f[N];

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, N, f);
	if (req_i64(c, p, keys[ID], f[ID], &col->id) ||
	    req_str(c, p, keys[NAME], f[NAME], &col->name) ||
	    opt_str(c, p, keys[DESC], f[DESC], NULL, &col->description) ||
	    opt_str(c, p, keys[TYPE], f[TYPE], NULL, &col->type))
		return -1;
	return 0;
}

static int parse_table_line(struct ctx *c, const struct path *p, const cJSON *v,
			    struct tsp_table_line *ln)
{
	enum { INDEX, TAGS, CELLS, N };
	static const char *const keys[N] = { "index", "tags", "cells" };
	static const char *const ckeys[] = { "content", "tags" };
	struct path pc = { p, keys[CELLS], 0 };
	const cJSON *f[N], *it;
	size_t i = 0;

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, N, f);
	if (req_i64(c, p, keys[INDEX], f[INDEX], &ln->index) ||
	    opt_i32(c, p, keys[TAGS], f[TAGS], 0, &ln->tags) ||
	    req_arr(c, p, keys[CELLS], f[CELLS], &ln->n_cells))
		return -1;
	ln->cells = arena_calloc(c->a, ln->n_cells, sizeof(*ln->cells));
	if (!ln->cells)
		return nomem(c);
	for (it = f[CELLS]->child; it; it = it->next, i++) {
		struct path pi = { &pc, NULL, i };
		const cJSON *g[2];

		if (expect_obj(c, &pi, NULL, it))
			return -1;
		pick(it, ckeys, 2, g);
		if (req_str(c, &pi, ckeys[0], g[0], &ln->cells[i].content) ||
		    opt_i32(c, &pi, ckeys[1], g[1], 0, &ln->cells[i].tags))
			return -1;
	}
	return 0;
}

static int parse_table_lines(struct ctx *c, const struct path *p, const cJSON *v,
			     struct tsp_table_lines *tl)
{
	enum { SIZE, LOW, COLS, LINES, N };
	static const char *const keys[N] = { "size", "lowIndex", "columnIds", "lines" };
	struct path pl = { p, keys[LINES], 0 };
	const cJSON *f[N], *it;
	size_t i = 0;

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, N, f);
	if (req_i64(c, p, keys[SIZE], f[SIZE], &tl->size) ||
	    req_i64(c, p, keys[LOW], f[LOW], &tl->low_index) ||
	    need(c, p, keys[COLS], f[COLS]) ||
	    i64_list(c, p, keys[COLS], f[COLS], &tl->column_ids, &tl->n_column_ids) ||
	    req_arr(c, p, keys[LINES], f[LINES], &tl->n_lines))
		return -1;
	tl->lines = arena_calloc(c->a, tl->n_lines, sizeof(*tl->lines));
	if (!tl->lines)
		return nomem(c);
	for (it = f[LINES]->child; it; it = it->next, i++) {
		struct path pi = { &pl, NULL, i };

		if (parse_table_line(c, &pi, it, &tl->lines[i]))
			return -1;
	}
	return 0;
}

static int parse_styles(struct ctx *c, const struct path *p, const cJSON *v,
			struct tsp_styles *st)
{
	static const char *const keys[] = { "styles" };
	struct path ps = { p, keys[0], 0 };
	const cJSON *f[1], *it;
	size_t i = 0;

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, 1, f);
	if (need(c, p, keys[0], f[0]) || expect_obj(c, p, keys[0], f[0]))
		return -1;
	st->n = count_children(f[0]);
	st->items = arena_calloc(c->a, st->n, sizeof(*st->items));
	if (!st->items)
		return nomem(c);
	for (it = f[0]->child; it; it = it->next, i++) {
		struct tsp_named_style *ns = &st->items[i];
		const char *k = it->string ? it->string : "";
		struct path pk = { &ps, k, 0 };

		if (dup_str(c, k, &ns->key))
			return -1;
		if (cJSON_IsNull(it))
			continue;
		if (style_into(c, &pk, it, &ns->style))
			return -1;
	}
	return tsp_styles_index(st, c->a) < 0 ? nomem(c) : 0;
}

static int parse_categories(struct ctx *c, const struct path *p, const cJSON *v,
			    struct tsp_strings *s)
{
	static const char *const keys[] = { "annotationCategories" };
	const cJSON *f[1];

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, 1, f);
	if (need(c, p, keys[0], f[0]))
		return -1;
	return str_list(c, p, keys[0], f[0], &s->items, &s->n);
}

static int parse_annotation(struct ctx *c, const struct path *p, const cJSON *v,
			    struct tsp_annotation *an)
{
	enum { TIME, DUR, ENTRY, TYPE, LABEL, STYLE, N };
	static const char *const keys[N] = {
		"time", "duration", "entryId", "type", "label", "style",
	};
	const cJSON *f[N];

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, N, f);
	if (req_i64(c, p, keys[TIME], f[TIME], &an->time) ||
	    req_i64(c, p, keys[DUR], f[DUR], &an->duration) ||
	    req_i64(c, p, keys[ENTRY], f[ENTRY], &an->entry_id) ||
	    req_str(c, p, keys[TYPE], f[TYPE], &an->type) ||
	    opt_str(c, p, keys[LABEL], f[LABEL], NULL, &an->label) ||
	    opt_style(c, p, keys[STYLE], f[STYLE], &an->style))
		return -1;
	return 0;
}

static int parse_annotations(struct ctx *c, const struct path *p, const cJSON *v,
			     struct tsp_annotations *as)
{
	static const char *const keys[] = { "annotations" };
	struct path pa = { p, keys[0], 0 };
	const cJSON *f[1], *it, *jt;
	size_t i = 0, j;
	int r;

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, 1, f);
	/* AnnotationModel has no required fields: absent means none. */
	r = opt_obj(c, p, keys[0], f[0]);
	if (r <= 0)
		return r;
	as->n = count_children(f[0]);
	as->categories = arena_calloc(c->a, as->n, sizeof(*as->categories));
	if (!as->categories)
		return nomem(c);
	for (it = f[0]->child; it; it = it->next, i++) {
		struct tsp_annotation_category *cat = &as->categories[i];
		const char *k = it->string ? it->string : "";
		struct path pk = { &pa, k, 0 };

		if (dup_str(c, k, &cat->name) || expect_arr(c, &pa, k, it))
			return -1;
		cat->n = count_children(it);
		cat->items = arena_calloc(c->a, cat->n, sizeof(*cat->items));
		if (!cat->items)
			return nomem(c);
		for (jt = it->child, j = 0; jt; jt = jt->next, j++) {
			struct path pj = { &pk, NULL, j };

			if (parse_annotation(c, &pj, jt, &cat->items[j]))
				return -1;
		}
	}
	return 0;
}

static int parse_marker_set(struct ctx *c, const struct path *p, const cJSON *v,
			    struct tsp_marker_set *ms)
{
	static const char *const keys[] = { "id", "name" };
	const cJSON *f[2];

	if (expect_obj(c, p, NULL, v))
		return -1;
	pick(v, keys, 2, f);
	if (req_str(c, p, keys[0], f[0], &ms->id) ||
	    req_str(c, p, keys[1], f[1], &ms->name))
		return -1;
	return 0;
}

/* Wrapped kinds whose model is an array; "model" is its path. */
#define PARSE_MODEL_ARRAY(c, p, v, items, n, fn)                               \
	do {                                                                   \
		const cJSON *it_;                                              \
		size_t i_ = 0;                                                 \
		if (expect_arr((c), (p), NULL, (v)))                           \
			return -1;                                             \
		(n) = count_children(v);                                       \
		(items) = arena_calloc((c)->a, (n), sizeof(*(items)));         \
		if (!(items))                                                  \
			return nomem(c);                                       \
		for (it_ = (v)->child; it_; it_ = it_->next, i_++) {           \
			struct path pi_ = { (p), NULL, i_ };                   \
			if (fn((c), &pi_, it_, &(items)[i_]))                  \
				return -1;                                     \
		}                                                              \
	} while (0)

static int parse_model(struct ctx *c, struct tsp_model *m, const cJSON *v)
{
	static const struct path pm = { NULL, "model", 0 };
	const struct path *p = &pm;

	switch (m->kind) {
	case TSP_M_TREE:
		return parse_tree(c, p, v, &m->u.tree);
	case TSP_M_XY:
		return parse_xy(c, p, v, &m->u.xy);
	case TSP_M_TG_STATES:
		return parse_tg_states(c, p, v, &m->u.states);
	case TSP_M_TG_ARROWS:
		PARSE_MODEL_ARRAY(c, p, v, m->u.arrows.items, m->u.arrows.n, parse_arrow);
		return 0;
	case TSP_M_TOOLTIP:
		if (expect_obj(c, p, NULL, v))
			return -1;
		return kv_map(c, p, NULL, v, &m->u.tooltip.items, &m->u.tooltip.n);
	case TSP_M_TABLE_COLUMNS:
		PARSE_MODEL_ARRAY(c, p, v, m->u.columns.items, m->u.columns.n, parse_column);
		return 0;
	case TSP_M_TABLE_LINES:
		return parse_table_lines(c, p, v, &m->u.lines);
	case TSP_M_STYLES:
		return parse_styles(c, p, v, &m->u.styles);
	case TSP_M_ANNOTATION_CATEGORIES:
		return parse_categories(c, p, v, &m->u.categories);
	case TSP_M_ANNOTATIONS:
		return parse_annotations(c, p, v, &m->u.annotations);
	case TSP_M_MARKER_SETS:
		PARSE_MODEL_ARRAY(c, p, v, m->u.marker_sets.items, m->u.marker_sets.n,
				  parse_marker_set);
		return 0;
	default:
		break;
	}
	return tsp_error_set(c->err, TSP_ERR_INVALID, 0, "not a wrapped model kind: %d",
			     (int)m->kind);
}

static int parse_wrapped(struct ctx *c, struct tsp_model *m, const cJSON *root)
{
	static const char *const keys[] = { "model", "status", "statusMessage" };
	const cJSON *f[3];
	const char *s;

	if (expect_obj(c, NULL, NULL, root))
		return -1;
	pick(root, keys, 3, f);
	if (!f[1])
		return missing(c, NULL, keys[1]);
	s = json_get_string(f[1]);
	if (!s)
		return fail(c, NULL, keys[1], "expected a string, got %s", jtype(f[1]));
	m->status = tsp_status_parse(s, strlen(s));
	if (m->status == TSP_STATUS_UNKNOWN)
		return fail(c, NULL, keys[1],
			    "\"%.40s\" is not one of RUNNING, COMPLETED, FAILED, CANCELLED", s);
	if (opt_str(c, NULL, keys[2], f[2], "", &m->status_message))
		return -1;
	/* No model is normal while RUNNING or after FAILED; the caller judges. */
	if (is_null(f[0]))
		return 0;
	m->has_model = 1;
	if (!parse_model(c, m, f[0]))
		return 0;
	/*
	 * A FAILED or CANCELLED answer is reported as such even when its
	 * leftover model is malformed: the server's own message matters more.
	 * What the model used of the arena stays until release.
	 */
	if ((m->status == TSP_STATUS_FAILED || m->status == TSP_STATUS_CANCELLED) &&
	    c->failed == TSP_ERR_SCHEMA) {
		memset(&m->u, 0, sizeof(m->u));
		m->has_model = 0;
		return 0;
	}
	return -1;
}

static int parse_bare(struct ctx *c, struct tsp_model *m, const cJSON *v)
{
	m->status = TSP_STATUS_COMPLETED;
	m->status_message = "";
	m->has_model = 1;
	switch (m->kind) {
	case TSP_M_HEALTH:
		return parse_health(c, NULL, v, &m->u.health);
	case TSP_M_IDENTIFIER:
		return parse_identifier(c, NULL, v, &m->u.identifier);
	case TSP_M_TRACES:
		PARSE_ROOT_ARRAY(c, v, m->u.traces.items, m->u.traces.n, parse_trace);
		return 0;
	case TSP_M_TRACE:
		return parse_trace(c, NULL, v, &m->u.trace);
	case TSP_M_EXPERIMENTS:
		PARSE_ROOT_LIST(c, v, m->u.experiments, parse_experiment);
		return 0;
	case TSP_M_EXPERIMENT:
		return parse_experiment(c, NULL, v, &m->u.experiment);
	case TSP_M_OUTPUTS:
		PARSE_ROOT_LIST(c, v, m->u.outputs, parse_output);
		return 0;
	case TSP_M_OUTPUT:
		return parse_output(c, NULL, v, &m->u.output);
	case TSP_M_CONFIGURATION:
		return parse_configuration(c, NULL, v, &m->u.configuration);
	case TSP_M_CONFIGURATIONS:
		PARSE_ROOT_ARRAY(c, v, m->u.configurations.items, m->u.configurations.n,
				 parse_configuration);
		return 0;
	case TSP_M_CONFIG_SOURCE_TYPES:
		PARSE_ROOT_ARRAY(c, v, m->u.source_types.items, m->u.source_types.n,
				 parse_source_type);
		return 0;
	default:
		break;
	}
	return tsp_error_set(c->err, TSP_ERR_INVALID, 0, "not a TSP model kind: %d",
			     (int)m->kind);
}

/* ---------- members the readers read ---------- */

/*
 * Every object member name a reader of this file picks (the keys[] tables
 * above), in strcmp order: the generic parser builds nodes for these only
 * and checks the rest without keeping them, so a server's extra members,
 * however large, cost no memory. KEEP_ALL members are maps whose keys are
 * data (metadata, style values, ...): everything under them is kept. A
 * member missing here would read as absent: add each new key here too
 * (the table need not stay sorted).
 */
static struct read_key {
	const char *name;
	enum json_member how;
	size_t len;                     /* set by read_slots_init() */
} read_keys[] = {
	{ "UUID", JSON_KEEP }, { "annotationCategories", JSON_KEEP },
	{ "annotations", JSON_KEEP_ALL }, { "autoExpandLevel", JSON_KEEP },
	{ "axisDomain", JSON_KEEP }, { "buildTime", JSON_KEEP }, { "canCreate", JSON_KEEP },
	{ "canDelete", JSON_KEEP }, { "capabilities", JSON_KEEP }, { "categories", JSON_KEEP },
	{ "cells", JSON_KEEP }, { "columnIds", JSON_KEEP }, { "configuration", JSON_KEEP },
	{ "content", JSON_KEEP }, { "cpuCount", JSON_KEEP }, { "dataType", JSON_KEEP },
	{ "description", JSON_KEEP }, { "duration", JSON_KEEP }, { "end", JSON_KEEP },
	{ "entries", JSON_KEEP }, { "entryId", JSON_KEEP }, { "hasData", JSON_KEEP },
	{ "headers", JSON_KEEP }, { "id", JSON_KEEP }, { "index", JSON_KEEP },
	{ "indexingStatus", JSON_KEEP }, { "isDefault", JSON_KEEP }, { "keyName", JSON_KEEP },
	{ "label", JSON_KEEP }, { "labels", JSON_KEEP }, { "launcherName", JSON_KEEP },
	{ "lines", JSON_KEEP }, { "lowIndex", JSON_KEEP }, { "maxMemory", JSON_KEEP },
	{ "metadata", JSON_KEEP_ALL }, { "model", JSON_KEEP }, { "name", JSON_KEEP },
	{ "nbEvents", JSON_KEEP }, { "os", JSON_KEEP }, { "osArch", JSON_KEEP },
	{ "osVersion", JSON_KEEP }, { "parameterDescriptors", JSON_KEEP },
	{ "parameters", JSON_KEEP_ALL }, { "parentId", JSON_KEEP }, { "parentKey", JSON_KEEP },
	{ "path", JSON_KEEP }, { "productId", JSON_KEEP }, { "properties", JSON_KEEP_ALL },
	{ "required", JSON_KEEP }, { "rows", JSON_KEEP }, { "schema", JSON_KEEP_ALL },
	{ "series", JSON_KEEP }, { "seriesId", JSON_KEEP }, { "seriesName", JSON_KEEP },
	{ "size", JSON_KEEP }, { "sourceId", JSON_KEEP }, { "sourceTypeId", JSON_KEEP },
	{ "start", JSON_KEEP }, { "states", JSON_KEEP }, { "status", JSON_KEEP },
	{ "statusMessage", JSON_KEEP }, { "style", JSON_KEEP }, { "styles", JSON_KEEP_ALL },
	{ "tags", JSON_KEEP }, { "targetId", JSON_KEEP }, { "time", JSON_KEEP },
	{ "title", JSON_KEEP }, { "tooltip", JSON_KEEP }, { "traces", JSON_KEEP },
	{ "tspVersion", JSON_KEEP }, { "type", JSON_KEEP }, { "unit", JSON_KEEP },
	{ "values", JSON_KEEP_ALL }, { "version", JSON_KEEP }, { "xCategories", JSON_KEEP },
	{ "xRanges", JSON_KEEP }, { "xValues", JSON_KEEP }, { "xValuesDescription", JSON_KEEP },
	{ "yValues", JSON_KEEP }, { "yValuesDescription", JSON_KEEP },
};

#define N_READ_KEYS (sizeof(read_keys) / sizeof(read_keys[0]))
#define READ_SLOTS 512          /* a power of two, several times N_READ_KEYS */

/* read_keys by a cheap hash of length and end bytes: one compare per member, most often. */
static uint8_t read_slots[READ_SLOTS];  /* index + 1; 0 = empty */

static size_t read_slot(const char *key, size_t len)
{
	uint32_t h = (uint32_t)len ^ (uint32_t)(unsigned char)key[0] << 8 ^
		     (uint32_t)(unsigned char)key[len - 1] << 16 ^ (uint32_t)(unsigned char)key[len / 2] << 24;

	return (h * 0x9e3779b1u) >> 23;         /* the top 9 bits: READ_SLOTS */
}

/* Built before main(): read_member() runs on every member of every answer, on any thread. */
__attribute__((constructor)) static void read_slots_init(void)
{
	size_t i, k;

	for (i = 0; i < N_READ_KEYS; i++) {
		read_keys[i].len = strlen(read_keys[i].name);
		for (k = read_slot(read_keys[i].name, read_keys[i].len); read_slots[k];
		     k = (k + 1) & (READ_SLOTS - 1))
			;
		read_slots[k] = (uint8_t)(i + 1);
	}
}

static enum json_member read_member(const char *key, size_t len)
{
	size_t k;

	if (!len)
		return JSON_SKIP;
	for (k = read_slot(key, len); read_slots[k]; k = (k + 1) & (READ_SLOTS - 1)) {
		const struct read_key *r = &read_keys[read_slots[k] - 1];

		if (r->len == len && !memcmp(r->name, key, len))
			return r->how;
	}
	return JSON_SKIP;
}

/* ---------- public API ---------- */

int tsp_model_parse_json(struct tsp_model *m, enum tsp_model_kind kind,
			 const struct cJSON *root, struct tsp_error *err)
{
	struct ctx c;
	int rc;

	tsp_model_release(m);
	m->kind = kind;
	c.a = &m->arena;
	c.err = err;
	c.failed = TSP_OK;
	if (!root)
		rc = tsp_error_set(err, TSP_ERR_INVALID, 0, "no JSON to parse");
	else if (tsp_model_kind_wrapped(kind))
		rc = parse_wrapped(&c, m, root);
	else
		rc = parse_bare(&c, m, root);
	if (rc) {
		/* Never hand back half a model. */
		tsp_model_release(m);
		return -1;
	}
	tsp_error_clear(err);
	return 0;
}

static int parse_generic(struct tsp_model *m, enum tsp_model_kind kind, const char *json,
			 size_t len, size_t max_tree_bytes, struct tsp_error *err);

int tsp_model_parse(struct tsp_model *m, enum tsp_model_kind kind,
		    const char *json, size_t len, struct tsp_error *err)
{
	return tsp_model_parse_max(m, kind, json, len, 0, err);
}

int tsp_model_parse_max(struct tsp_model *m, enum tsp_model_kind kind, const char *json,
			size_t len, size_t max_tree_bytes, struct tsp_error *err)
{
	tsp_model_release(m);
	m->kind = kind;
	if (!json || !len)
		return tsp_error_set(err, TSP_ERR_BAD_JSON, 0, "empty body where a TSP %s was expected",
				     tsp_model_kind_name(kind));
	/*
	 * States answers are the largest (tens of MB): read the usual shape
	 * straight into the model; anything else takes the generic path below,
	 * which also gives the error messages (tg_states_reader.h).
	 */
	if (kind == TSP_M_TG_STATES && tg_states_read(m, json, len) == 0) {
		tsp_error_clear(err);
		return 0;
	}
	return parse_generic(m, kind, json, len, max_tree_bytes, err);
}

int tsp_model_parse_generic(struct tsp_model *m, enum tsp_model_kind kind,
			    const char *json, size_t len, struct tsp_error *err)
{
	return parse_generic(m, kind, json, len, 0, err);
}

static int parse_generic(struct tsp_model *m, enum tsp_model_kind kind, const char *json,
			 size_t len, size_t max_tree_bytes, struct tsp_error *err)
{
	static const char *const packed_keys[] = { "xValues", "yValues", NULL };
	/* A tooltip's model is itself a map of names the server chooses: nothing to skip there. */
	struct json_fast_opts o = { packed_keys, kind == TSP_M_TOOLTIP ? NULL : read_member,
				    max_tree_bytes };
	char jerr[128] = "";
	struct json_doc doc;
	cJSON *root;
	int rc;

	tsp_model_release(m);
	m->kind = kind;
	if (!json || !len)
		return tsp_error_set(err, TSP_ERR_BAD_JSON, 0, "empty body where a TSP %s was expected",
				     tsp_model_kind_name(kind));
	/* Answers run to many MB: the arena parser, not cJSON's malloc per node. */
	json_doc_init(&doc);
	/* XY series' values are read by i64_list()/double_list(), which know packed arrays. */
	root = json_doc_parse_opts(&doc, json, len, &o, jerr, sizeof(jerr));
	if (!root) {
		size_t at = 0, lead = 0;

		while (lead < len && strchr(" \t\r\n", json[lead]) && json[lead])
			lead++;
		if (!strcmp(jerr, "out of memory"))
			return tsp_error_set(err, TSP_ERR_NOMEM, 0, "out of memory parsing JSON");
		if (!strncmp(jerr, "too large to read", 17))
			return tsp_error_set(err, TSP_ERR_TOO_LARGE, 0, "the %s answer (%zu bytes) is %s",
					     tsp_model_kind_name(kind), len, jerr);
		/* A document that runs out mid-value was cut short (dropped stream, proxy): say so. */
		if (lead < len && (json[lead] == '{' || json[lead] == '[') &&
		    sscanf(jerr, "invalid JSON near byte %zu", &at) == 1 && at >= len)
			return tsp_error_set(err, TSP_ERR_BAD_JSON, 0, "not JSON (%s: the answer is "
					     "truncated, it ends inside a value) where a TSP %s was expected",
					     jerr, tsp_model_kind_name(kind));
		return tsp_error_set(err, TSP_ERR_BAD_JSON, 0, "not JSON (%s) where a TSP %s was expected",
				     jerr, tsp_model_kind_name(kind));
	}
	rc = tsp_model_parse_json(m, kind, root, err);
	json_doc_release(&doc);
	return rc;
}
