# Renames of the code-structure redesign (branch h-mech): helpers shared by
# every layer moved out of the gf_* files. GNU sed (\b); idempotent. Apply
# to every file with
#   sed -i -f RENAMES.sed $(git ls-files '*.c' '*.h' '*.md' '*.mk')
# and nothing else changes. gf_request.h, gf_target.h, gf_translate.h and
# gf_frame.h include the new headers, so code that used these names through
# them still compiles.
#
# Not renames, left for the files being rewritten to take by hand:
#   grafana_api.c  str_hash(s)             -> hash_fnv1a64_str(s) (hash.h, same values)
#                  65536 in range_query()
#                  and nb_times_of()       -> TSP_NB_TIMES_MAX (tsp_client.h)
#   routes.c       elapsed_ms(&t0)         -> mono_elapsed_ms(&t0) (monotime.h)
#                  clock_gettime(CLOCK_MONOTONIC, &t) -> t = mono_now()
#   catalog.c      now_ms()                -> mono_now_ms() (monotime.h)
# Times (util/nstime.h, json/json_time.h, tsp/tsp_query_args.h)
s/\bgf_ns_to_ms\b/ns_to_ms/g
s/\bgf_span_ms\b/ns_span_ms/g
s/\bgf_time_parse_iso\b/nstime_parse_iso/g
s/\bgf_parse_epoch_seconds\b/nstime_parse_epoch_s/g
s/\bgf_time_parse\b/json_time_parse/g
s/\bgf_time_arg\b/tsp_time_arg/g
s/\bgf_range_args\b/tsp_range_args/g
s/\bgf_nb_times_arg\b/tsp_nb_times_arg/g
# Style chains (tsp/tsp_style.h)
s/\bgf_style_by_key\b/tsp_style_by_key/g
s/\bgf_style_str\b/tsp_style_str/g
s/\bgf_state_name\b/tsp_state_name/g
s/\bgf_state_own_color\b/tsp_state_own_color/g
s/\bgf_styles_notice\b/tsp_styles_notice/g
# Rows and links as graphs (tsp/tsp_graph.h)
s/\bgf_link_pairs_merge\b/tsp_link_pairs_merge/g
s/\bgf_link_pair\b/tsp_link_pair/g
s/\bgf_link_degrees\b/tsp_link_degrees/g
s/\bgf_entries_by_id\b/tsp_entries_by_id/g
s/\bgf_entry_subtitle\b/tsp_entry_subtitle/g
# Name patterns (util/name_pattern.h)
s/\bgf_pattern/name_pattern/g
s/\bgf_pat_kind\b/name_pat_kind/g
s/\bGF_PAT_/NAME_PAT_/g
s/\bgf_regcomp\b/name_regcomp/g
s/\bGF_REGEX_MAX_/NAME_REGEX_MAX_/g
s/resolves target patterns (gf_target\.h)/resolves name patterns (name_pattern.h)/
# catalog.h (tsp/) needs only the patterns, not the target syntax: its
# include of gf_target.h, which tsp_client.h follows, becomes name_pattern.h.
/^#include "gf_target\.h"$/{
N
s/^#include "gf_target\.h"\n#include "tsp_client\.h"$/#include "name_pattern.h"\n#include "tsp_client.h"/
P
D
}
