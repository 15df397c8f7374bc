/**
 * @file api/status.c  GET /healthz and GET /v1/status
 *
 * Copyright (C) 2026 The lianluo authors
 */
#include <string.h>
#include <re.h>
#include "common/log.h"
#include "config.h"
#include "store/store.h"
#include "acd/acd.h"
#include "api/api.h"
#include "api/apiint.h"


/* GET /healthz (not signed) */
void api_healthz(struct api_req *req)
{
	api_reply(req, 200, "{\"status\":\"ok\"}");
}


static int status_print(struct re_printf *pf, const struct api_req *req)
{
	const struct api *api = req->api;

	if (!api->acd)
		return re_hprintf(pf, "{\"agents\":[],\"calls\":[]}");

	return acd_status_print(pf, req->app.sdk_app_id, api->acd);
}


/* GET /v1/status: live agents and calls of the application */
void api_status(struct api_req *req)
{
	api_reply(req, 200, "%H", status_print, req);
}
