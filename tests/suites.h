/*
 * Every check suite of the runner, one X(name) line each; tests/main.c
 * declares `Suite *name(void)` for each and runs them in this order.
 */
X(strbuf_suite)
X(json_int_suite)
X(jsonw_suite)
