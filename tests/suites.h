/*
 * Every check suite of the runner, one X(name) line each; tests/main.c
 * declares `Suite *name(void)` for each and runs them in this order.
 */
X(strbuf_suite)
X(json_int_suite)
X(jsonw_suite)
X(config_suite)
X(bridge_suite)
X(vendor_suite)
X(tsp_client_suite)
X(tsp_client_sim_suite)
X(tsp_model_suite)
X(fixtures_suite)
X(tspsim_suite)
X(gf_target_suite)
X(gf_request_suite)
X(gf_frame_suite)
X(gf_translate_suite)
X(catalog_suite)
X(cache_suite)
X(grafana_suite)
X(grafana_clients_suite)
X(timeline_suite)
