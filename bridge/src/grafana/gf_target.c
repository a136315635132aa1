/* Grafana targets, patterns and discovery queries (gf_target.h). */
#include "gf_target.h"
#include "gf_views.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json_int.h"

/* ---- patterns ---- */

/* Trims blanks in place at both ends of [*s, *e). */
static void trim(const char **s, const char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]) && !(*e - 1 > *s && (*e)[-2] == '\\'))
		(*e)--;
}

/*
 * Builds a pattern from raw target text [s, e) (escapes still in).
 * `entries` allows "#N". -1 with err.
 */
static int pattern_from_raw(struct name_pattern *p, const char *s, const char *e, int entries,
			    const char *what, char *err, size_t errlen)
{
	char *text;
	size_t n = 0;
	int escaped_first = 0, has_star = 0;
	char why[128];

	memset(p, 0, sizeof(*p));
	trim(&s, &e);
	text = malloc((size_t)(e - s) + 1);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (const char *c = s; c < e; c++) {
		if (*c == '\\' && c + 1 < e) {
			if (c == s)
				escaped_first = 1;
			text[n++] = *++c;
			continue;
		}
		if (*c == '*')
			has_star = 1;
		text[n++] = *c;
	}
	text[n] = '\0';
	p->text = text;
	if (!n || (!strcmp(text, "*") && !escaped_first && has_star)) {
		p->kind = NAME_PAT_ANY;
		return 0;
	}
	if (text[0] == '~' && !escaped_first) {
		p->kind = NAME_PAT_REGEX;
		if (name_regcomp(&p->re, text + 1, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s: bad regex \"%s\": %s", what, text, why);
			p->kind = NAME_PAT_EXACT;         /* nothing compiled to free */
			return -1;
		}
		return 0;
	}
	if (entries && text[0] == '#' && !escaped_first) {
		char *end;

		errno = 0;
		p->id = strtoll(text + 1, &end, 10);
		if (!text[1] || *end || errno) {
			snprintf(err, errlen, "%s: \"%s\" is not an entry id (#N)", what, text);
			return -1;
		}
		p->kind = NAME_PAT_ID;
		return 0;
	}
	p->kind = has_star ? NAME_PAT_GLOB : NAME_PAT_EXACT;
	if (has_star) {
		/* fnmatch: only '*' is ours; escape what it would treat specially. */
		char *g = malloc((size_t)(e - s) * 2 + 1), *o = g;

		if (!g) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		for (const char *c = s; c < e; c++) {
			if (*c == '\\' && c + 1 < e) {
				c++;
				*o++ = '\\';
				*o++ = *c;
			} else if (*c == '?' || *c == '[' || *c == ']') {
				*o++ = '\\';
				*o++ = *c;
			} else {
				*o++ = *c;
			}
		}
		*o = '\0';
		free(p->text);
		p->text = g;
	}
	return 0;
}

/* ---- views ---- */

/* ---- targets ---- */

void gf_target_init(struct gf_target *t)
{
	memset(t, 0, sizeof(*t));
	t->limit = GF_LIMIT_DEFAULT;
	t->bins = GF_BINS_DEFAULT;
}

void gf_target_release(struct gf_target *t)
{
	name_pattern_release(&t->experiment);
	name_pattern_release(&t->output);
	name_pattern_release(&t->entries);
	free(t->markers);
	free(t->category);
	gf_target_init(t);
}

/* Finds the next unescaped c in [s, e), or e. */
static const char *find_unescaped(const char *s, const char *e, char c)
{
	for (; s < e; s++) {
		if (*s == '\\' && s + 1 < e)
			s++;
		else if (*s == c)
			return s;
	}
	return e;
}

/* Unescaped copy of [s, e). */
static char *unescape(const char *s, const char *e)
{
	char *out = malloc((size_t)(e - s) + 1), *o = out;

	if (!out)
		return NULL;
	for (; s < e; s++) {
		if (*s == '\\' && s + 1 < e)
			s++;
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

static int set_limit(struct gf_target *t, const char *v, char *err, size_t errlen)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < 1 || n > GF_LIMIT_MAX) {
		snprintf(err, errlen, "limit must be 1..%d, not \"%s\"", GF_LIMIT_MAX, v);
		return -1;
	}
	t->limit = n;
	return 0;
}

/* A whole number in [lo, hi] for option `what`; -1 with a message naming it otherwise. */
static int int_option(const char *what, const char *v, long long lo, long long hi, long long *out,
		      char *err, size_t errlen)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (!*v || *end || errno || n < lo || n > hi) {
		snprintf(err, errlen, "%s must be a whole number %lld..%lld, not \"%s\"", what, lo, hi, v);
		return -1;
	}
	*out = n;
	return 0;
}

static int set_tid(struct gf_target *t, const char *v, char *err, size_t errlen)
{
	long long n;

	if (int_option("tid (the thread of a critical path)", v, 0, GF_TID_MAX, &n, err, errlen) < 0)
		return -1;
	t->has_tid = 1;
	t->tid = n;
	return 0;
}

static int set_bins(struct gf_target *t, const char *v, char *err, size_t errlen)
{
	long long n;

	if (int_option("bins", v, 1, GF_BINS_MAX, &n, err, errlen) < 0)
		return -1;
	t->bins = (int)n;
	return 0;
}

static int set_format(struct gf_target *t, const char *v, char *err, size_t errlen)
{
	if (!strcmp(v, "timeseries") || !strcmp(v, "timeserie"))
		t->format = GF_FORMAT_TIMESERIES;
	else if (!strcmp(v, "table"))
		t->format = GF_FORMAT_TABLE;
	else if (!strcmp(v, "frame"))
		t->format = GF_FORMAT_FRAME;
	else {
		snprintf(err, errlen, "unknown format \"%s\": timeseries, table or frame", v);
		return -1;
	}
	return 0;
}

static int set_view(struct gf_target *t, const char *v, char *err, size_t errlen)
{
	int view = gf_view_parse(v);

	if (view < 0) {
		snprintf(err, errlen, "unknown view \"%s\": %s", v, gf_view_names());
		return -1;
	}
	t->view = (enum gf_view)view;
	return 0;
}

static int set_string(char **dst, const char *v, char *err, size_t errlen)
{
	char *s = strdup(v);

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	free(*dst);
	*dst = s;
	return 0;
}

static int set_option(struct gf_target *t, const char *key, const char *v, char *err, size_t errlen)
{
	if (!strcmp(key, "view"))
		return set_view(t, v, err, errlen);
	if (!strcmp(key, "limit"))
		return set_limit(t, v, err, errlen);
	if (!strcmp(key, "format"))
		return set_format(t, v, err, errlen);
	if (!strcmp(key, "markers"))
		return set_string(&t->markers, v, err, errlen);
	if (!strcmp(key, "category"))
		return set_string(&t->category, v, err, errlen);
	if (!strcmp(key, "tid"))
		return set_tid(t, v, err, errlen);
	if (!strcmp(key, "bins"))
		return set_bins(t, v, err, errlen);
	snprintf(err, errlen, "unknown option \"%s\": view, limit, markers, category, format, tid or bins",
		 key);
	return -1;
}

/* "k=v&k=v" in [s, e). */
static int parse_options(struct gf_target *t, const char *s, const char *e, char *err, size_t errlen)
{
	char *key = NULL, *val = NULL;
	int ret = -1;

	while (s < e) {
		const char *amp = find_unescaped(s, e, '&');
		const char *eq = find_unescaped(s, amp, '=');

		if (eq == amp) {
			char *bad = unescape(s, amp);

			snprintf(err, errlen, "option \"%s\" needs a value (key=value)", bad ? bad : "");
			free(bad);
			goto out;
		}
		key = unescape(s, eq);
		val = unescape(eq + 1, amp);
		if (!key || !val) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		if (set_option(t, key, val, err, errlen) < 0)
			goto out;
		free(key);
		free(val);
		key = val = NULL;
		s = amp < e ? amp + 1 : e;
	}
	ret = 0;
out:
	free(key);
	free(val);
	return ret;
}

static int is_blank(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return !*s;
}

static int string_pattern(struct name_pattern *p, const char *s, int entries, const char *what,
			  char *err, size_t errlen)
{
	name_pattern_release(p);
	return pattern_from_raw(p, s, s + strlen(s), entries, what, err, errlen);
}

/* Appends the name [s, s + n) to a list pattern; with `unescape` a `\` escapes the next character. */
static int list_push(struct name_pattern *p, size_t *cap, const char *s, size_t n, int unescape)
{
	char *name, *o;
	size_t i;

	if (p->n_list == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		char **v = realloc(p->list, c * sizeof(*v));

		if (!v)
			return -1;
		p->list = v;
		*cap = c;
	}
	if (!(name = malloc(n + 1)))
		return -1;
	for (i = 0, o = name; i < n; i++) {
		if (unescape && s[i] == '\\' && i + 1 < n)
			i++;
		*o++ = s[i];
	}
	*o = '\0';
	p->list[p->n_list++] = name;
	return 0;
}

/*
 * Whether s is how Grafana interpolates a multi-value variable: its regex
 * format "(a|b\.c)" (two or more alternatives, every special character
 * escaped) or its glob format "{a,b}". Then the names are appended to the
 * list: 1. 0 when s is neither, -1 when out of memory.
 */
static int variable_names(struct name_pattern *p, size_t *cap, const char *s)
{
	size_t n = strlen(s), i, start = 1, alts = 1;

	if (n >= 2 && s[0] == '(' && s[n - 1] == ')') {
		for (i = 1; i + 1 < n; i++) {
			if (s[i] == '\\' && i + 2 < n)
				i++;
			else if (s[i] == '|')
				alts++;
			else if (strchr("\\^$*+?.()[]{}/", s[i]))
				return 0;       /* a regex of the user's, not a list of names */
		}
		if (alts < 2)
			return 0;
		for (i = 1; i < n; i++) {
			if (s[i] == '\\' && i + 2 < n) {
				i++;
			} else if (s[i] == '|' || i + 1 == n) {
				if (list_push(p, cap, s + start, i - start, 1) < 0)
					return -1;
				start = i + 1;
			}
		}
		return 1;
	}
	if (n >= 2 && s[0] == '{' && s[n - 1] == '}' && memchr(s, ',', n)) {
		for (i = 1; i < n; i++)
			if (s[i] == ',' || i + 1 == n) {
				/* Glob values come unescaped: a `\` is the name's own. */
				if (list_push(p, cap, s + start, i - start, 0) < 0)
					return -1;
				start = i + 1;
			}
		return 1;
	}
	return 0;
}

/*
 * The entries field: a pattern string, or an array of names. A string or
 * element in one of Grafana's multi-value formats stands for its names;
 * a regex-escaped single value ("kworker\/0:1") for the name unescaped.
 */
static int entries_field(struct gf_target *t, const cJSON *it, char *err, size_t errlen)
{
	const cJSON *e;
	size_t cap = 0;
	int rc;

	name_pattern_release(&t->entries);
	if (!cJSON_IsArray(it)) {
		t->entries.kind = NAME_PAT_LIST;
		rc = variable_names(&t->entries, &cap, json_get_string(it));
		if (rc < 0)
			goto nomem;
		if (rc == 0) {
			name_pattern_release(&t->entries);
			if (string_pattern(&t->entries, json_get_string(it), 1, "entries", err, errlen) < 0)
				return -1;
		}
		t->has_entries = 1;
		return 0;
	}
	t->entries.kind = NAME_PAT_LIST;
	cJSON_ArrayForEach(e, it) {
		const char *v = json_get_string(e);

		if (!v) {
			snprintf(err, errlen, "entries must be a string or an array of strings");
			return -1;
		}
		if ((rc = variable_names(&t->entries, &cap, v)) < 0 ||
		    (rc == 0 && list_push(&t->entries, &cap, v, strlen(v), 1) < 0))
			goto nomem;
	}
	if (!t->entries.n_list)
		name_pattern_release(&t->entries);   /* an empty selection: the defaults */
	else
		t->has_entries = 1;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* The fields object (SimpleJSON data / JSON datasource payload) over the target. */
static int apply_fields(struct gf_target *t, const cJSON *fields, char *err, size_t errlen)
{
	const cJSON *it;

	if (!cJSON_IsObject(fields))
		return 0;
	cJSON_ArrayForEach(it, fields) {
		const char *k = it->string, *v = json_get_string(it);
		char num[32];

		if (cJSON_IsNull(it) || (v && !*v))
			continue;       /* empty means absent */
		if (!strcmp(k, "entries") && (cJSON_IsArray(it) || v)) {
			if (entries_field(t, it, err, errlen) < 0)
				return -1;
			continue;
		}
		if (!strcmp(k, "limit") && json_is_number(it)) {
			int64_t n;

			if (json_get_int64(it, &n) != JSON_OK || n < 1 || n > GF_LIMIT_MAX) {
				snprintf(err, errlen, "limit must be 1..%d, not %s", GF_LIMIT_MAX,
					 json_number_text(it, num, sizeof(num)));
				return -1;
			}
			t->limit = (long)n;
			continue;
		}
		/* A number is checked as its text: 1.5 or 1e3 is refused with the value shown. */
		if ((!strcmp(k, "tid") || !strcmp(k, "bins")) && json_is_number(it)) {
			if (set_option(t, k, json_number_text(it, num, sizeof(num)), err, errlen) < 0)
				return -1;
			continue;
		}
		if (strcmp(k, "experiment") && strcmp(k, "output") && strcmp(k, "entries") &&
		    strcmp(k, "view") && strcmp(k, "limit") && strcmp(k, "markers") &&
		    strcmp(k, "category") && strcmp(k, "format") && strcmp(k, "tid") && strcmp(k, "bins"))
			continue;       /* other payload fields belong to the user */
		if (!v) {
			snprintf(err, errlen, "%s must be a string", k);
			return -1;
		}
		/* Editors send "" for a field left empty: it does not clear the target's. */
		if ((!strcmp(k, "experiment") || !strcmp(k, "output")) && is_blank(v))
			continue;
		if (!strcmp(k, "experiment")) {
			if (string_pattern(&t->experiment, v, 0, "experiment", err, errlen) < 0)
				return -1;
		} else if (!strcmp(k, "output")) {
			if (string_pattern(&t->output, v, 0, "output", err, errlen) < 0)
				return -1;
		} else if (set_option(t, k, v, err, errlen) < 0) {
			return -1;
		}
	}
	return 0;
}

int gf_target_parse(struct gf_target *t, const char *s, const cJSON *fields, char *err, size_t errlen)
{
	const char *end, *q, *slash1, *slash2;
	int have_exp, have_out;

	gf_target_release(t);
	if (!s)
		s = "";
	end = s + strlen(s);
	q = find_unescaped(s, end, '?');
	slash1 = find_unescaped(s, q, '/');
	if (s < q) {
		slash2 = slash1 < q ? find_unescaped(slash1 + 1, q, '/') : q;
		if (pattern_from_raw(&t->experiment, s, slash1, 0, "experiment", err, errlen) < 0)
			goto fail;
		if (slash1 < q) {
			if (pattern_from_raw(&t->output, slash1 + 1, slash2, 0, "output", err, errlen) < 0)
				goto fail;
		}
		if (slash2 < q) {
			if (pattern_from_raw(&t->entries, slash2 + 1, q, 1, "entries", err, errlen) < 0)
				goto fail;
			t->has_entries = 1;
		}
	}
	if (q < end && parse_options(t, q + 1, end, err, errlen) < 0)
		goto fail;
	if (apply_fields(t, fields, err, errlen) < 0)
		goto fail;
	have_exp = t->experiment.text && *t->experiment.text;
	have_out = t->output.text && *t->output.text;
	if (!have_exp || !have_out) {
		const char *fe = json_get_string(cJSON_GetObjectItemCaseSensitive(fields, "experiment"));
		const char *fo = json_get_string(cJSON_GetObjectItemCaseSensitive(fields, "output"));

		/* A payload query has no target text: its fields say what is missing. */
		if (!*s && ((fe && !is_blank(fe)) || (fo && !is_blank(fo)))) {
			char a[160], b[160];

			if (fe && !is_blank(fe))
				snprintf(a, sizeof(a), "experiment \"%s\"", fe);
			else
				snprintf(a, sizeof(a), "no experiment");
			if (fo && !is_blank(fo))
				snprintf(b, sizeof(b), "output \"%s\"", fo);
			else
				snprintf(b, sizeof(b), "no output");
			snprintf(err, errlen, "%s, %s: expected experiment and output fields "
				 "(e.g. \"kernel\", \"CPU Usage\")", a, b);
		} else {
			snprintf(err, errlen, "target \"%s\": expected experiment/output (e.g. \"kernel/CPU Usage\")", s);
		}
		goto fail;
	}
	return 0;
fail:
	gf_target_release(t);
	return -1;
}

/* ---- discovery ---- */

void gf_discover_release(struct gf_discover *d)
{
	name_pattern_release(&d->experiment);
	name_pattern_release(&d->output);
	name_pattern_release(&d->server);
	free(d->text);
	free(d->type);
	memset(d, 0, sizeof(*d));
}

static const char *norm_type(const char *s, size_t n)
{
	static const struct { const char *in, *out; } map[] = {
		{ "XY", "TREE_TIME_XY" }, { "TREE_TIME_XY", "TREE_TIME_XY" },
		{ "TIMEGRAPH", "TIME_GRAPH" }, { "TIME_GRAPH", "TIME_GRAPH" },
		{ "TABLE", "TABLE" }, { "DATA_TREE", "DATA_TREE" }, { "DATATREE", "DATA_TREE" },
		{ "GENERIC_XY", "TREE_GENERIC_XY" }, { "TREE_GENERIC_XY", "TREE_GENERIC_XY" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].in) == n && !strncasecmp(map[i].in, s, n))
			return map[i].out;
	return NULL;
}

/* "name(" at the start of q (blanks allowed) -> the argument text [*a, *b) before ')'. */
static int call_of(const char *q, const char *name, const char **a, const char **b,
		   char *err, size_t errlen)
{
	size_t n = strlen(name);
	const char *e;

	while (isspace((unsigned char)*q))
		q++;
	if (strncmp(q, name, n) || q[n] != '(')
		return 0;
	q += n + 1;
	e = q + strlen(q);
	while (e > q && isspace((unsigned char)e[-1]))
		e--;
	if (e == q || e[-1] != ')') {
		snprintf(err, errlen, "\"%s(\": missing ')'", name);
		return -1;
	}
	*a = q;
	*b = e - 1;
	return 1;
}

int gf_discover_parse(struct gf_discover *d, const char *q, char *err, size_t errlen)
{
	const char *a, *b, *comma, *slash;
	int r;

	memset(d, 0, sizeof(*d));
	if (!q)
		q = "";
	if ((r = call_of(q, "experiments", &a, &b, err, errlen)) != 0) {
		const char *as = a, *ae = b;

		if (r < 0)
			goto fail;
		d->kind = GF_DISC_EXPERIMENTS;
		trim(&as, &ae);
		d->has_server = as < ae;
		if (d->has_server && pattern_from_raw(&d->server, a, b, 0, "experiments()", err, errlen) < 0)
			goto fail;
		return 0;
	}
	if ((r = call_of(q, "servers", &a, &b, err, errlen)) != 0) {
		if (r < 0)
			goto fail;
		d->kind = GF_DISC_SERVERS;
		return 0;
	}
	if ((r = call_of(q, "outputs", &a, &b, err, errlen)) != 0) {
		if (r < 0)
			goto fail;
		d->kind = GF_DISC_OUTPUTS;
		comma = find_unescaped(a, b, ',');
		if (pattern_from_raw(&d->experiment, a, comma, 0, "outputs()", err, errlen) < 0)
			goto fail;
		if (comma < b) {
			const char *ts = comma + 1, *te = b, *ty;

			trim(&ts, &te);
			ty = norm_type(ts, (size_t)(te - ts));
			if (!ty) {
				snprintf(err, errlen, "outputs(): unknown type \"%.*s\": XY, TIME_GRAPH, "
					 "TABLE, DATA_TREE or GENERIC_XY", (int)(te - ts), ts);
				goto fail;
			}
			if (!(d->type = strdup(ty)))
				goto nomem;
		}
		return 0;
	}
	if ((r = call_of(q, "entries", &a, &b, err, errlen)) != 0) {
		if (r < 0)
			goto fail;
		d->kind = GF_DISC_ENTRIES;
		slash = find_unescaped(a, b, '/');
		if (slash == b) {
			snprintf(err, errlen, "entries(): expected entries(experiment/output)");
			goto fail;
		}
		if (pattern_from_raw(&d->experiment, a, slash, 0, "entries()", err, errlen) < 0 ||
		    pattern_from_raw(&d->output, slash + 1, b, 0, "entries()", err, errlen) < 0)
			goto fail;
		return 0;
	}
	if ((r = call_of(q, "markers", &a, &b, err, errlen)) != 0) {
		if (r < 0)
			goto fail;
		d->kind = GF_DISC_MARKERS;
		if (pattern_from_raw(&d->experiment, a, b, 0, "markers()", err, errlen) < 0)
			goto fail;
		return 0;
	}
	d->kind = GF_DISC_TARGETS;
	if (!(d->text = strdup(q)))
		goto nomem;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	gf_discover_release(d);
	return -1;
}
