#ifndef TIMELINE_API_H
#define TIMELINE_API_H

/*
 * GET /timeline and its flat forms (timeline_doc.h), and GET
 * /timeline/schema, the JSON Schema every document validates against.
 * Handlers take their struct bridge from req->app.
 */

#include "http_server.h"

void timeline_document(const struct http_request *req, struct http_response *res);
void timeline_rows(const struct http_request *req, struct http_response *res);
void timeline_states(const struct http_request *req, struct http_response *res);
void timeline_events(const struct http_request *req, struct http_response *res);
void timeline_links(const struct http_request *req, struct http_response *res);
void timeline_nodes(const struct http_request *req, struct http_response *res);
void timeline_edges(const struct http_request *req, struct http_response *res);
void timeline_schema(const struct http_request *req, struct http_response *res);

#endif
