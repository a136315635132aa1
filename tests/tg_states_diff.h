#ifndef TESTS_TG_STATES_DIFF_H
#define TESTS_TG_STATES_DIFF_H

#include <stddef.h>

/*
 * The differential check of the direct states reader (tg_states_reader.h)
 * against the generic parser, on one body: whenever the reader accepts, the
 * generic path accepts too and both models match field for field; and
 * tsp_model_parse() gives exactly what the generic path gives (result,
 * error kind and message, model). want_direct: 1 the reader must accept,
 * 0 it must decline, -1 either. `what` names the body in failures.
 */
void tg_states_differential(const char *json, size_t len, int want_direct, const char *what);

#endif
