#ifndef NAME_PATTERN_H
#define NAME_PATTERN_H

/*
 * Patterns that pick things by name: experiments, outputs and tree entries
 * (the target syntax of gf_target.h and /timeline's rows build them;
 * catalog.h resolves experiments and outputs with them), and the guard
 * every regex a client sends goes through before regcomp().
 *
 * Ownership: a pattern owns its text, list and compiled regex;
 * name_pattern_release() frees them and zeroes it. A pattern is immutable
 * once built and may be matched from several threads.
 */

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

enum name_pat_kind {
	NAME_PAT_ANY,   /* absent, or "*" */
	NAME_PAT_EXACT, /* text */
	/* text is an fnmatch(3) pattern in which only '*' is special (the rest escaped) */
	NAME_PAT_GLOB,
	NAME_PAT_REGEX, /* "~re", POSIX extended, compiled in `re` */
	NAME_PAT_ID,    /* "#N": entry id N (entries only) */
	NAME_PAT_LIST,  /* exact names (payload "entries": [...]) */
};

struct name_pattern {
	enum name_pat_kind kind;
	char *text;             /* unescaped text (EXACT/GLOB), regex source (REGEX) */
	regex_t re;             /* NAME_PAT_REGEX only */
	int64_t id;             /* NAME_PAT_ID */
	char **list;            /* NAME_PAT_LIST */
	size_t n_list;
};

/* Frees what p holds (a zeroed pattern is fine) and zeroes it: NAME_PAT_ANY. */
void name_pattern_release(struct name_pattern *p);

/*
 * regcomp(REG_EXTENDED | REG_NOSUB) for a client's regex, refused when glibc
 * would expand it too far ("a+++...", nested bounds: seconds to minutes and
 * gigabytes for a few dozen characters). 0, or -1 with the reason in why
 * (may be NULL); nothing to regfree() then.
 */
int name_regcomp(regex_t *re, const char *src, char *why, size_t whylen);

/* Whether name (and, for EXACT patterns, alt such as an id/UUID; may be NULL) matches. */
int name_pattern_match(const struct name_pattern *p, const char *name, const char *alt);
/* NAME_PAT_ID matches entry ids; every other kind matches on name. */
int name_pattern_match_entry(const struct name_pattern *p, int64_t id, const char *name);

#endif
