/* Name patterns and client regexes (name_pattern.h). */
#include "name_pattern.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void name_pattern_release(struct name_pattern *p)
{
	size_t i;

	if (p->kind == NAME_PAT_REGEX)
		regfree(&p->re);
	for (i = 0; i < p->n_list; i++)
		free(p->list[i]);
	free(p->list);
	free(p->text);
	memset(p, 0, sizeof(*p));
}

/*
 * The ']' closing the bracket expression that opens at p ("[]x]", "[^]x]",
 * "[[:alpha:]]" are one each), or NULL when it is not closed.
 */
static const char *bracket_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (*p == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
			const char *close = strchr(p + 2, p[1]);

			while (close && close[1] != ']')
				close = strchr(close + 1, p[1]);
			if (!close)
				return NULL;
			p = close + 2;
			continue;
		}
		p++;
	}
	return *p ? p : NULL;
}

/*
 * What glibc's regcomp() would build for an ERE: it copies a subexpression
 * once per '+' and per bound ("a{3}" is "aaa"), its time grows with the
 * square of the optional and repeated nodes ("a?" "a*"), and exponentially
 * with repetitions of what can match empty ("^(a*)+(b*)+...", "a**"). So a
 * few dozen characters ("a*++++++++++++", "(a?){19000}") cost seconds to
 * minutes and gigabytes. Estimates all three: 1 past a cap, 0 within, -1
 * for a malformed bound or bracket (regcomp refuses those).
 */
#define NAME_REGEX_MAX_NODES 100000
#define NAME_REGEX_MAX_LOOPS 1000
#define NAME_REGEX_MAX_EMPTY_LOOPS 4
#define NAME_REGEX_MAX_EMPTY_COST 1500
/* Repetitions stacked on one atom that can match "" ("(a|)+++"): each squares the cost. */
#define NAME_REGEX_MAX_EMPTY_STACK 2
#define NAME_REGEX_MAX_DEPTH 64

struct rx_group {
	unsigned long nodes, loops;             /* the group so far */
	unsigned long last_nodes, last_loops;   /* its last atom */
	int has_last, last_empty;               /* the last atom can match "" */
	int pre_empty;                          /* this alternative before it can */
	int alt_empty;                          /* an earlier alternative can */
	unsigned long empty_alts;               /* alternatives that can match "" */
	int last_stack;                         /* repetitions on the last atom while it could */
	/* Repetitions of what can match "" inside the group so far, and inside its last atom. */
	unsigned long eloops, ecost, last_eloops, last_ecost;
};

/* Over the whole expression: repetitions of what can match "", and their cost. */
struct rx_costs {
	unsigned long empty_loops, empty_cost;
};

/*
 * c gets a new last atom of `nodes` nodes, `loops` of them optional or
 * looping, holding `eloops` repetitions of what can match "" (costing
 * ecost); 1 past a cap.
 */
static int rx_atom(struct rx_group *c, unsigned long nodes, unsigned long loops, int empty,
		   unsigned long eloops, unsigned long ecost)
{
	c->pre_empty = c->pre_empty && (!c->has_last || c->last_empty);
	c->has_last = 1;
	c->last_empty = empty;
	c->last_nodes = nodes;
	c->last_loops = loops;
	c->last_stack = 0;
	c->last_eloops = eloops;
	c->last_ecost = ecost;
	c->nodes += nodes;
	c->loops += loops;
	c->eloops += eloops;
	c->ecost += ecost;
	return c->nodes > NAME_REGEX_MAX_NODES || c->loops > NAME_REGEX_MAX_LOOPS;
}

/* Counts n more repetitions of what can match "", costing cost, in c's last atom and overall. */
static int rx_empty_loops(struct rx_group *c, struct rx_costs *t, unsigned long n, unsigned long cost)
{
	if (n > NAME_REGEX_MAX_EMPTY_LOOPS || cost > NAME_REGEX_MAX_EMPTY_COST)
		return 1;
	c->last_eloops += n;
	c->last_ecost += cost;
	c->eloops += n;
	c->ecost += cost;
	t->empty_loops += n;
	t->empty_cost += cost;
	return t->empty_loops > NAME_REGEX_MAX_EMPTY_LOOPS || t->empty_cost > NAME_REGEX_MAX_EMPTY_COST;
}

/*
 * c's last atom becomes f copies of itself, plus opt optional/looping
 * nodes; zero: it may now match "". 1 past a cap.
 */
static int rx_repeat(struct rx_group *c, struct rx_costs *t, unsigned long f, unsigned long opt,
		     int zero)
{
	if (!c->has_last)
		return 0;
	/* The copies glibc makes ("x{3}" is "xxx") copy the repetitions of "" inside too. */
	if (f > 1 && c->last_eloops &&
	    rx_empty_loops(c, t, c->last_eloops * (f - 1 < 100000 ? f - 1 : 100000),
			   c->last_ecost * (f - 1 < 100000 ? f - 1 : 100000)))
		return 1;
	/*
	 * Copies of what can match "" through its own epsilon paths ("(.||){20}")
	 * chain those paths one after the other: counted as repetitions of "".
	 */
	if (f > 1 && c->last_empty && c->last_loops &&
	    rx_empty_loops(c, t, f - 1 < 100000 ? f - 1 : 100000,
			   (f - 1 < 100000 ? f - 1 : 100000) * (c->last_loops + 1)))
		return 1;
	if (c->last_empty && opt) {
		/* Measured: about the square of the loops inside, per such repetition. */
		if (rx_empty_loops(c, t, 1, (c->last_loops + 1) * (c->last_loops + 1)) ||
		    ++c->last_stack > NAME_REGEX_MAX_EMPTY_STACK)
			return 1;
	}
	c->last_empty |= zero;
	c->nodes -= c->last_nodes;
	c->loops -= c->last_loops;
	c->last_nodes = c->last_nodes * f + opt;
	c->last_loops = c->last_loops * f + opt;
	c->nodes += c->last_nodes;
	c->loops += c->last_loops;
	return c->nodes > NAME_REGEX_MAX_NODES || c->loops > NAME_REGEX_MAX_LOOPS;
}

/*
 * The bound opening at p ('{'): "{m}", "{m,}", "{m,n}", "{,n}". 1 with *end
 * at its '}' and the repetition it makes (as rx_repeat() takes it); 0 when
 * the '{' is a literal; -1 when malformed.
 */
static int rx_bound(const char *p, const char **end, unsigned long *f, unsigned long *opt, int *zero)
{
	const char *b = p + 1;
	unsigned long m = 0, n = 0;

	if (!(*b >= '0' && *b <= '9') && !(*b == ',' && b[1] >= '0' && b[1] <= '9'))
		return 0;
	for (; *b >= '0' && *b <= '9'; b++)
		m = m < 100000 ? m * 10 + (unsigned long)(*b - '0') : m;
	*f = m;
	*opt = 0;
	if (*b == ',') {
		*f = m + 1;
		*opt = 1;
		if (b[1] >= '0' && b[1] <= '9') {
			for (b++; *b >= '0' && *b <= '9'; b++)
				n = n < 100000 ? n * 10 + (unsigned long)(*b - '0') : n;
			*f = n > m ? n : m;
			*opt = n > m ? n - m : 0;
		} else {
			b++;
		}
	}
	if (*b != '}')
		return -1;
	*zero = m == 0;
	*end = b;
	return 1;
}

static int regex_too_costly(const char *p)
{
	struct rx_group g[NAME_REGEX_MAX_DEPTH + 1], *c = g;
	struct rx_costs t = { 0, 0 };

	memset(c, 0, sizeof(*c));
	c->pre_empty = 1;
	for (; *p; p++) {
		unsigned long f = 1, opt = 0, nodes = 1, loops = 0, eloops = 0, ecost = 0;
		int zero = 0, empty = 0, rc;

		switch (*p) {
		case '(':
			if (++c - g > NAME_REGEX_MAX_DEPTH)
				return 1;
			memset(c, 0, sizeof(*c));
			c->pre_empty = 1;
			continue;
		case ')':
			if (c == g)
				break;          /* a literal */
			empty = c->alt_empty || (c->pre_empty && (!c->has_last || c->last_empty));
			nodes = c->nodes ? c->nodes : 1;
			/*
			 * Measured: each alternative that can match "" is an
			 * epsilon path glibc's closure walks like a loop.
			 */
			loops = c->loops + c->empty_alts +
				(c->pre_empty && (!c->has_last || c->last_empty));
			eloops = c->eloops;
			ecost = c->ecost;
			c--;
			break;          /* the group is the parent's new atom */
		case '|':
			if (c->pre_empty && (!c->has_last || c->last_empty)) {
				c->alt_empty = 1;
				c->empty_alts++;
			}
			c->pre_empty = 1;
			c->has_last = 0;
			c->last_nodes = c->last_loops = 0;
			continue;
		case '^':
		case '$':
			empty = 1;
			break;
		case '*':
		case '?':
			if (rx_repeat(c, &t, 1, 1, 1))
				return 1;
			continue;
		case '+':
			if (rx_repeat(c, &t, 2, 1, 0))
				return 1;
			continue;
		case '{':
			rc = rx_bound(p, &p, &f, &opt, &zero);
			if (rc < 0)
				return -1;      /* malformed: regcomp says why */
			if (rc > 0) {
				if (rx_repeat(c, &t, f, opt, zero))
					return 1;
				continue;
			}
			break;          /* a literal */
		case '[':
			/* A bracket expression is one atom. */
			if (!(p = bracket_end(p)))
				return -1;      /* malformed: regcomp says why */
			break;
		case '\\':
			if (p[1])
				p++;
			break;
		}
		if (rx_atom(c, nodes, loops, empty, eloops, ecost))
			return 1;
	}
	return 0;
}

/*
 * Whether an ERE holds a back-reference (\1 to \9, outside brackets).
 * glibc matches those by backtracking, with no bound on the time: an
 * 80-byte pattern took seconds against one short name.
 */
static int has_backref(const char *p)
{
	for (; *p; p++) {
		if (*p == '\\') {
			if (p[1] >= '1' && p[1] <= '9')
				return 1;
			if (p[1])
				p++;
			continue;
		}
		/* Inside a bracket expression a backslash is a plain character. */
		if (*p == '[' && !(p = bracket_end(p)))
			return 0;               /* malformed: regcomp says why */
	}
	return 0;
}

int name_regcomp(regex_t *re, const char *src, char *why, size_t whylen)
{
	int rc;

	if (has_backref(src)) {
		if (why)
			snprintf(why, whylen, "back-references (\\1 to \\9) are not supported");
		return -1;
	}
	if (regex_too_costly(src) > 0) {
		if (why)
			snprintf(why, whylen, "too many repetitions to compile");
		return -1;
	}
	rc = regcomp(re, src, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		if (why)
			regerror(rc, re, why, whylen);
		return -1;
	}
	return 0;
}

int name_pattern_match(const struct name_pattern *p, const char *name, const char *alt)
{
	size_t i;

	if (!name)
		name = "";
	switch (p->kind) {
	case NAME_PAT_ANY:
		return 1;
	case NAME_PAT_EXACT:
		return !strcmp(p->text, name) || (alt && !strcmp(p->text, alt));
	case NAME_PAT_GLOB:
		return fnmatch(p->text, name, 0) == 0;
	case NAME_PAT_REGEX:
		return regexec(&p->re, name, 0, NULL, 0) == 0;
	case NAME_PAT_LIST:
		for (i = 0; i < p->n_list; i++)
			if (!strcmp(p->list[i], name) || (alt && !strcmp(p->list[i], alt)))
				return 1;
		return 0;
	case NAME_PAT_ID:
		return 0;
	}
	return 0;
}

int name_pattern_match_entry(const struct name_pattern *p, int64_t id, const char *name)
{
	if (p->kind == NAME_PAT_ID)
		return p->id == id;
	return name_pattern_match(p, name, NULL);
}
