#ifndef GRAFANA_API_H
#define GRAFANA_API_H

/*
 * The Grafana endpoints: SimpleJSON (grafana-simple-json-datasource) and the
 * JSON datasource (simpod-json-datasource), served on the same port. Each
 * handler runs the data path HTTP in -> parse request (gf_request) ->
 * resolve targets (gf_target, catalog) -> TSP requests (tsp_client) ->
 * frames (gf_translate) -> Grafana JSON out (gf_frame). The contract is
 * docs/grafana-api.md. Handlers take their struct bridge from req->app.
 */

#include "http_server.h"

void grafana_search(const struct http_request *req, struct http_response *res);
void grafana_query(const struct http_request *req, struct http_response *res);
void grafana_frames(const struct http_request *req, struct http_response *res);
void grafana_flat(const struct http_request *req, struct http_response *res);
void grafana_annotations(const struct http_request *req, struct http_response *res);
void grafana_tag_keys(const struct http_request *req, struct http_response *res);
void grafana_tag_values(const struct http_request *req, struct http_response *res);
void grafana_metrics(const struct http_request *req, struct http_response *res);
void grafana_payload_options(const struct http_request *req, struct http_response *res);
void grafana_variable(const struct http_request *req, struct http_response *res);

#endif
