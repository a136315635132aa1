#ifndef TG_STATES_READER_H
#define TG_STATES_READER_H

/*
 * A tree-free reader for time-graph states answers, the largest TSP answers
 * the bridge reads (tens of MB): it fills struct tsp_tg_states straight from
 * the text, with no cJSON-shaped tree in between.
 *
 * It reads only the plain shape servers send,
 *   {"model":{"rows":[{"entryId":N,"states":[{"start":N,"end":N,
 *    "label"?:S|null,"tags"?:N|null,"style"?:null|{"parentKey"?:S|null,
 *    "values"?:null|{K:S|N,...}}}]}]},"status":S,"statusMessage"?:S|null}
 * with members in any order, and declines everything else: an unknown or
 * duplicate member, an escape in a string, a number that is not a plain
 * integer where one is expected, a long integer among style values, a type
 * or value the generic parser would refuse, anything after the value. The
 * caller then parses the same text the generic way (tsp_model_parse.c), which
 * gives the answer or the error message: so whatever this reader accepts,
 * it makes the model the generic path makes, field for field.
 *
 * One difference that is not a field: equal labels, style keys and styles
 * without values are interned, each one arena copy the states share, so a
 * translator may memoize per pointer (gf_translate.c does).
 */

#include <stddef.h>

#include "tsp_model.h"

/*
 * Reads json[0..len) as a TSP_M_TG_STATES answer into m (released first;
 * its kind is set). Returns 0 with status, status_message, has_model and
 * u.states set, or 1 when it declines: m then holds nothing.
 */
int tg_states_read(struct tsp_model *m, const char *json, size_t len);

#endif
