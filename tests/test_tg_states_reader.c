/*
 * The direct time-graph states reader (tg_states_reader.h) against the
 * generic tree parser: the same model, field for field, for everything it
 * accepts; a decline for everything else, with tsp_model_parse() then
 * giving the generic answer or error word for word. Bodies: the fixture,
 * hand-made edge cases, every prefix of a body (truncation) and single-byte
 * mutations of it. tspsim's own output is checked in test_tspsim.c.
 *
 * Bodies are written with single quotes; J() swaps them for double quotes.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tg_states_diff.h"
#include "tg_states_reader.h"
#include "tsp_model.h"

#define J json_quotes

static void same_str(const char *a, const char *b, const char *what, const char *field)
{
	ck_assert_msg((a == NULL) == (b == NULL), "%s: %s: NULL vs not", what, field);
	if (a)
		ck_assert_msg(!strcmp(a, b), "%s: %s: \"%s\" vs \"%s\"", what, field, a, b);
}

static void same_style(const struct tsp_style *a, const struct tsp_style *b, const char *what)
{
	size_t i;

	ck_assert_msg((a == NULL) == (b == NULL), "%s: style NULL vs not", what);
	if (!a)
		return;
	same_str(a->parent_key, b->parent_key, what, "parentKey");
	ck_assert_msg(a->n_values == b->n_values, "%s: %zu vs %zu style values", what,
		      a->n_values, b->n_values);
	/* "values":{} and no values differ in the pointer only: kept the same. */
	ck_assert_msg((a->values == NULL) == (b->values == NULL), "%s: values NULL vs not", what);
	for (i = 0; i < a->n_values; i++) {
		const struct tsp_style_value *x = &a->values[i], *y = &b->values[i];

		same_str(x->key, y->key, what, "value key");
		ck_assert_msg(x->is_number == y->is_number, "%s: value %s type", what, x->key);
		if (x->is_number)
			ck_assert_msg(!memcmp(&x->num, &y->num, sizeof(x->num)), "%s: value %s: %.17g vs %.17g",
				      what, x->key, x->num, y->num);
		else
			same_str(x->str, y->str, what, "value string");
	}
}

static void same_model(const struct tsp_model *a, const struct tsp_model *b, const char *what)
{
	size_t i, j;

	ck_assert_msg(a->kind == b->kind, "%s: kind", what);
	ck_assert_msg(a->status == b->status, "%s: status %d vs %d", what, a->status, b->status);
	same_str(a->status_message, b->status_message, what, "statusMessage");
	ck_assert_msg(a->has_model == b->has_model, "%s: has_model %d vs %d", what, a->has_model,
		      b->has_model);
	ck_assert_msg(a->u.states.n_rows == b->u.states.n_rows, "%s: %zu vs %zu rows", what,
		      a->u.states.n_rows, b->u.states.n_rows);
	ck_assert_msg((a->u.states.rows == NULL) == (b->u.states.rows == NULL), "%s: rows NULL", what);
	for (i = 0; i < a->u.states.n_rows; i++) {
		const struct tsp_tg_row *x = &a->u.states.rows[i], *y = &b->u.states.rows[i];

		ck_assert_msg(x->entry_id == y->entry_id, "%s: row %zu entryId", what, i);
		ck_assert_msg(x->n_states == y->n_states, "%s: row %zu: %zu vs %zu states", what, i,
			      x->n_states, y->n_states);
		ck_assert_msg((x->states == NULL) == (y->states == NULL), "%s: states NULL", what);
		for (j = 0; j < x->n_states; j++) {
			const struct tsp_tg_state *s = &x->states[j], *t = &y->states[j];

			ck_assert_msg(s->start == t->start && s->end == t->end,
				      "%s: row %zu state %zu: times", what, i, j);
			ck_assert_msg(s->tags == t->tags, "%s: row %zu state %zu: tags", what, i, j);
			same_str(s->label, t->label, what, "label");
			same_style(s->style, t->style, what);
		}
	}
}

void tg_states_differential(const char *json, size_t len, int want_direct, const char *what)
{
	struct tsp_model g, d, c;
	struct tsp_error eg, ec;
	int rg, rd, rc;

	tsp_model_init(&g);
	tsp_model_init(&d);
	tsp_model_init(&c);
	rg = tsp_model_parse_generic(&g, TSP_M_TG_STATES, json, len, &eg);
	rd = tg_states_read(&d, json, len);
	rc = tsp_model_parse(&c, TSP_M_TG_STATES, json, len, &ec);
	if (want_direct >= 0)
		ck_assert_msg(rd == !want_direct, "%s: the direct reader %s", what,
			      rd ? "declined" : "accepted");
	if (rd == 0) {
		ck_assert_msg(rg == 0, "%s: the direct reader accepts what the generic path refuses (%s)",
			      what, eg.msg);
		same_model(&g, &d, what);
	} else {
		ck_assert_msg(rd == 1, "%s: rd %d", what, rd);
		ck_assert_msg(d.arena.head == NULL && !d.has_model && d.kind == TSP_M_TG_STATES,
			      "%s: a declined read left something", what);
	}
	ck_assert_msg(rc == rg, "%s: tsp_model_parse %d, generic %d", what, rc, rg);
	if (rc) {
		ck_assert_msg(ec.kind == eg.kind && !strcmp(ec.msg, eg.msg), "%s: \"%s\" vs \"%s\"",
			      what, ec.msg, eg.msg);
		ck_assert_msg(c.arena.head == NULL && !c.has_model, "%s: half a model kept", what);
	} else {
		same_model(&g, &c, what);
	}
	tsp_model_release(&g);
	tsp_model_release(&d);
	tsp_model_release(&c);
}

static void diff_j(const char *body, int want, int line)
{
	char *j = J(body), what[32];

	snprintf(what, sizeof(what), "line %d", line);
	tg_states_differential(j, strlen(j), want, what);
	free(j);
}
#define ACCEPTS(body) diff_j((body), 1, __LINE__)
#define DECLINES(body) diff_j((body), 0, __LINE__)

/* A body with a bit of everything the reader takes. */
static const char sample[] =
	"{'model':{'rows':[{'entryId':1234,'states':["
	"{'start':1111111111111111111,'end':1111111111111111112},"
	"{'start':2222222222222222222,'end':2222222222222222223,'style':{'parentKey':'Style key',"
	"'values':{}},'label':'run','tags':8},"
	"{'start':3,'end':4,'style':{'parentKey':'k','values':{'background-color':'#646464',"
	"'height':0.33,'n':-7,'z':-0,'big':1e400,'x':'y','x':'z'}},'label':null,'tags':null},"
	"{'start':-5,'end':0,'style':null,'label':'run'},"
	"{'start':5,'end':6,'style':{'parentKey':'Style key','values':{}},'label':'\xc3\xa9t\xc3\xa9'}]},"
	"{'entryId':-9223372036854775808,'states':[]},"
	"{'states':[{'end':9223372036854775807,'start':0,'style':{},'tags':-2147483648}],'entryId':7}]},"
	"'status':'COMPLETED','statusMessage':''}";

START_TEST(accepts_what_servers_send)
{
	struct tsp_model d;
	const struct tsp_tg_state *s;
	char path[4096], *text;
	size_t len;

	ACCEPTS(sample);
	ACCEPTS("{'model':null,'status':'RUNNING','statusMessage':'Running'}");
	ACCEPTS("{'status':'RUNNING'}");
	ACCEPTS("{'model':{'rows':[]},'status':'COMPLETED'}");
	ACCEPTS("{'model':{'rows':[{'entryId':1,'states':[]}]},'status':'COMPLETED'}");
	ACCEPTS("{'statusMessage':null,'status':'FAILED','model':{'rows':[{'states':[{'style':"
		"{'values':null,'parentKey':null},'end':2,'start':1}],'entryId':5}]}}");
	ACCEPTS("{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2}]}]},'status':'CANCELLED',"
		"'statusMessage':'Cancelled'}");
	ACCEPTS(" \n\t{ 'model' : { 'rows' : [ { 'entryId' : 1 , 'states' : [ { 'start' : 1 , "
		"'end' : 2 , 'style' : { 'parentKey' : 'a' , 'values' : { 'k' : 1.5 } } } ] } ] } ,\r\n"
		" 'status' : 'COMPLETED' } \n");

	/* The fixture, pretty-printed as a real server's answer was recorded. */
	text = read_file(src_path(path, sizeof(path), "tests/fixtures/tsp/fetch-timegraph-states-0.json"),
			 &len);
	ck_assert_ptr_nonnull(text);
	tg_states_differential(text, len, 1, "fixture");
	free(text);

	/* Equal labels and value-less styles are shared: what gf_translate memoizes on. */
	text = J(sample);
	tsp_model_init(&d);
	ck_assert_int_eq(tg_states_read(&d, text, strlen(text)), 0);
	s = d.u.states.rows[0].states;
	ck_assert_ptr_eq(s[1].style, s[4].style);
	ck_assert_ptr_eq(s[1].label, s[3].label);
	ck_assert_ptr_ne(s[1].style, s[2].style);
	ck_assert_ptr_nonnull(s[1].style->values);      /* "values":{} */
	ck_assert_ptr_null(d.u.states.rows[2].states[0].style->values);
	ck_assert_uint_eq(s[2].style->n_values, 7);
	tsp_model_release(&d);
	free(text);
}
END_TEST

START_TEST(declines_the_rest)
{
	/* Valid, but for the generic path: escapes, unknown or repeated members, other number forms. */
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2,'label':'a\\'b'}]}]},"
		 "'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2,'label':'\\u0041'}]}]},"
		 "'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'st\\u0061rt':1,'end':2}]}]},"
		 "'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[]}]},'status':'COMPLETED','statusMessage':'\\n'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2,'foo':[1,{}]}]}]},"
		 "'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[]},'status':'COMPLETED','extra':{'a':[1,2]}}");
	DECLINES("{'model':{'rows':[],'x':1},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'x':null,'states':[]}]},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2,'start':3}]}]},"
		 "'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[],'rows':[{}]},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[]},'status':'COMPLETED','status':'FAILED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':1.0,'end':2e3}]}]},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2,'tags':1.0}]}]},"
		 "'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2,'style':{'parentKey':'p',"
		 "'values':{'n':1234567890123456789}}}]}]},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2,'style':{'parentKey':'p',"
		 "'other':1}}]}]},'status':'COMPLETED'}");

	/* Errors: each must come out as the generic path words it. */
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':9223372036854775808,'end':2}]}]},"
		 "'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':-9223372036854775809,'end':2}]}]},"
		 "'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':99999999999999999999,'end':2}]}]},"
		 "'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2,'tags':2147483648}]}]},"
		 "'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2,'label':5}]}]},"
		 "'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2,'style':5}]}]},"
		 "'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2,'style':{'values':"
		 "{'a':true}}}]}]},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2,'style':{'values':"
		 "{'a':null}}}]}]},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2,'style':{'values':[]}}]}]},"
		 "'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':'1','end':2}]}]},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':null,'end':2}]}]},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'end':2}]}]},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{}]}]},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[1]}]},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':null}]},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'states':[]}]},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1}]},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{}]},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':{}},'status':'COMPLETED'}");
	DECLINES("{'model':{},'status':'COMPLETED'}");
	DECLINES("{'model':[],'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[]},'status':'DONE'}");
	DECLINES("{'model':{'rows':[]},'status':null}");
	DECLINES("{'model':{'rows':[]}}");
	DECLINES("{'model':{'rows':[]},'status':'COMPLETED','statusMessage':3}");
	/* A FAILED answer with a broken model is the status, not a schema error. */
	DECLINES("{'model':{'rows':[{'entryId':'x','states':[]}]},'status':'FAILED','statusMessage':'boom'}");
	/* Not JSON. */
	DECLINES("{'model':{'rows':[]},'status':'COMPLETED'} x");
	DECLINES("{'model':{'rows':[1,]},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':01,'states':[]}]},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':-,'states':[]}]},'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[{'entryId':1,'states':[{'start':1,'end':2,'label':'a\tb'}]}]},"
		 "'status':'COMPLETED'}");
	DECLINES("{'model':{'rows':[]},'status':'COMPLETED',}");
	DECLINES("{'model':{'rows':[]},'status':'COMPLETED'");
	DECLINES("{'model':nul,'status':'COMPLETED'}");
	DECLINES("[]");
	DECLINES("null");
	DECLINES("'COMPLETED'");
	DECLINES("{}");
	DECLINES(" ");
	/* A NUL inside a string, and after the value: the length counts, not the NUL. */
	tg_states_differential("{\"status\":\"RUN\0NING\"}", 21, 0, "NUL in a string");
	tg_states_differential("{\"status\":\"RUNNING\"}\0", 21, 0, "NUL after the value");
	tg_states_differential("{\"status\":\"RUNNING\"}", 20, 1, "the same, without the NUL");
	tg_states_differential(NULL, 0, 0, "no body");
	tg_states_differential("", 0, 0, "an empty body");
}
END_TEST

START_TEST(truncated_anywhere)
{
	char *j = J(sample), what[48];
	size_t n = strlen(j), k;

	/* Every proper prefix is cut short: never the reader's to accept. */
	for (k = 0; k < n; k++) {
		snprintf(what, sizeof(what), "prefix of %zu bytes", k);
		tg_states_differential(j, k, 0, what);
	}
	free(j);
}
END_TEST

START_TEST(mutated_anywhere)
{
	static const char subst[] = "}],\"{[:1-.eE0 \\nxl\x01\xff";
	char *j = J(sample), what[64];
	size_t n = strlen(j), k, s;

	/* One byte changed anywhere: whatever it makes, both paths must agree. */
	for (k = 0; k < n; k++)
		for (s = 0; s < sizeof(subst) - 1; s++) {
			char keep = j[k];

			if (keep == subst[s])
				continue;
			j[k] = subst[s];
			snprintf(what, sizeof(what), "byte %zu set to 0x%02x", k, (unsigned char)subst[s]);
			tg_states_differential(j, n, -1, what);
			j[k] = keep;
		}
	free(j);
}
END_TEST

Suite *tg_states_reader_suite(void)
{
	Suite *s = suite_create("tg_states_reader");
	TCase *tc = tcase_create("differential");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, accepts_what_servers_send);
	tcase_add_test(tc, declines_the_rest);
	tcase_add_test(tc, truncated_anywhere);
	tcase_add_test(tc, mutated_anywhere);
	suite_add_tcase(s, tc);
	return s;
}
