/**
 * @file api/reply.c  JSON replies and error replies
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * Errors are {"error":{"code":"<Code>","message":"..."}}; docs/API.md lists
 * the codes.
 */
#include <string.h>
#include <stdarg.h>
#include <re.h>
#include "common/log.h"
#include "common/jsonw.h"
#include "config.h"
#include "store/store.h"
#include "api/api.h"
#include "api/apiint.h"


const char *api_reason(uint16_t scode)
{
	switch (scode) {

	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default:  return "Unknown";
	}
}


/**
 * Set the reply: status code and a JSON body printed with fmt
 *
 * @param req   Request
 * @param scode Status code
 * @param fmt   Body format (libre's printf, e.g. %H with jsonw_str)
 */
void api_reply(struct api_req *req, uint16_t scode, const char *fmt, ...)
{
	va_list ap;
	int err;

	mbuf_rewind(req->mb);

	va_start(ap, fmt);
	err = mbuf_vprintf(req->mb, fmt, ap);
	va_end(ap);

	if (err) {
		log_warn("api: cannot print reply: %m", err);
		mbuf_rewind(req->mb);
		(void)mbuf_printf(req->mb, "{\"error\":{\"code\":"
				  "\"InternalError\",\"message\":"
				  "\"cannot print reply\"}}");
		scode = 500;
	}

	req->scode = scode;
}


/**
 * Set an error reply
 *
 * @param req   Request
 * @param scode Status code
 * @param code  Error code, e.g. "InvalidParameter"
 * @param fmt   Message format
 */
void api_error(struct api_req *req, uint16_t scode, const char *code,
	       const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	(void)re_vsdprintf(&msg, fmt, ap);
	va_end(ap);

	api_reply(req, scode, "{\"error\":{\"code\":%H,\"message\":%H}}",
		  jsonw_str, code, jsonw_str, msg ? msg : "");

	mem_deref(msg);
}


/**
 * Set the error reply for a failed store call
 *
 * @param req  Request
 * @param err  errno value from the store
 * @param what What was asked for, e.g. "staff member"
 * @param id   Its id (may be NULL)
 */
void api_error_store(struct api_req *req, int err, const char *what,
		     const char *id)
{
	switch (err) {

	case ENOENT:
		api_error(req, 404, "ResourceNotFound", "%s %s%s%snot found",
			  what, id ? "'" : "", id ? id : "", id ? "' " : "");
		break;

	case EEXIST:
		api_error(req, 409, "AlreadyExists", "%s %s%s%salready exists",
			  what, id ? "'" : "", id ? id : "", id ? "' " : "");
		break;

	case EINVAL:
		api_error(req, 400, "InvalidParameter", "invalid %s", what);
		break;

	case EBUSY:
		api_error(req, 503, "ServiceUnavailable", "store busy");
		break;

	default:
		log_warn("api: store error on %s: %m", what, err);
		api_error(req, 500, "InternalError", "store error");
		break;
	}
}


/**
 * Set the 429 reply of a request refused by a failure limit
 *
 * @param req  Request
 * @param ms   Milliseconds until the limit ends
 * @param what What failed too often, e.g. "authentications from here"
 */
void api_error_limited(struct api_req *req, uint32_t ms, const char *what)
{
	req->retry_after_s = (ms + 999) / 1000;

	api_error(req, 429, "TooManyRequests",
		  "too many failed %s; retry in %u s", what,
		  req->retry_after_s);
}
