/**
 * @file sdk/errors.c  Error texts, end reasons and the version
 *
 * Copyright (C) 2026 The lianluo authors
 *
 * ll_strerror() is a switch over enum ll_error with no default, so that
 * -Wswitch names any code added to the header without a text here.
 */
#include <pthread.h>
#include <re.h>
#include "lianluo/lianluo.h"
#include "common/media_sdp.h"
#include "audio/stream.h"
#include "sdk.h"


/* SIP status codes (RFC 3261 21) an agent meets, then by class. */
static const char *sip_text(int code)
{
	switch (code) {

	case 403: return "SIP 403 Forbidden";
	case 404: return "SIP 404 Not Found";
	case 408: return "SIP 408 Request Timeout";
	case 480: return "SIP 480 Temporarily Unavailable";
	case 484: return "SIP 484 Address Incomplete";
	case 486: return "SIP 486 Busy Here";
	case 487: return "SIP 487 Request Terminated";
	case 488: return "SIP 488 Not Acceptable Here";
	case 503: return "SIP 503 Service Unavailable";
	case 603: return "SIP 603 Decline";
	default: break;
	}

	switch (code / 100) {

	case 3: return "SIP redirection";
	case 4: return "SIP request failure";
	case 5: return "SIP server failure";
	case 6: return "SIP global failure";
	default: return "SIP provisional or success response";
	}
}


LL_API const char *ll_strerror(int err)
{
	if (err >= 100 && err <= 699)
		return sip_text(err);

	switch ((enum ll_error)err) {

	case LL_OK:                    return "success";
	case LL_ERR_CONSENT_REQUIRED:
		return "the end user's consent is required first";
	case LL_ERR_INVALID_ARGUMENT:  return "invalid argument";
	case LL_ERR_NO_MEMORY:         return "out of memory";
	case LL_ERR_NOT_LOGGED_IN:     return "not logged in";
	case LL_ERR_ALREADY_LOGGED_IN: return "already logged in";
	case LL_ERR_NO_CALL:           return "no call";
	case LL_ERR_BUSY:              return "a call is already in progress";
	case LL_ERR_WRONG_STATE:
		return "not possible in the call's current state";
	case LL_ERR_BAD_URI:
		return "not a phone number or SIP URI";
	case LL_ERR_BAD_DTMF:          return "not a DTMF digit";
	case LL_ERR_NETWORK:           return "server unreachable";
	case LL_ERR_TIMEOUT:           return "timed out";
	case LL_ERR_AUTH_FAILED:       return "authentication failed";
	case LL_ERR_TOKEN_EXPIRED:     return "login token expired";
	case LL_ERR_TOKEN_USED:        return "login token already used";
	case LL_ERR_SERVER:            return "server error";
	case LL_ERR_AUDIO_DEVICE:      return "cannot open the audio device";
	case LL_ERR_FILE:              return "cannot read or write the file";
	case LL_ERR_IN_CALLBACK:       return "not allowed inside a callback";
	case LL_ERR_NOT_SUPPORTED:     return "not supported";
	case LL_ERR_INTERNAL:          return "internal error";
	case LL_ERR_MICROPHONE_DISABLED:
		return "the microphone is switched off (privacy switch)";
	case LL_ERR_BUFFER_TOO_SMALL:  return "buffer too small";
	case LL_ERR_STATUS_NOT_ALLOWED:
		return "the server does not allow this status or reason";
	case LL_ERR_CERTIFICATE:
		return "the server's certificate failed verification";
	case LL_ERR_INSECURE:
		return "plain (unencrypted) HTTP, SIP or RTP is not allowed";
	}

	return "unknown error";
}


LL_API const char *ll_end_reason_str(enum ll_end_reason reason)
{
	switch (reason) {

	case LL_END_ERROR:         return "error";
	case LL_END_TIMEOUT:       return "timeout";
	case LL_END_REPLACED:      return "replaced";
	case LL_END_LOCAL_BYE:     return "localBye";
	case LL_END_REMOTE_BYE:    return "remoteBye";
	case LL_END_LOCAL_CANCEL:  return "localCancel";
	case LL_END_REMOTE_CANCEL: return "remoteCancel";
	case LL_END_REJECTED:      return "rejected";
	case LL_END_REFERRED:      return "referred";
	}

	return "unknown";
}


LL_API const char *ll_version(void)
{
	return LL_VERSION_STR;
}


LL_API uint32_t ll_version_num(void)
{
	return LL_VERSION_NUM;
}


/**
 * Map an internal errno value to a public code.
 *
 * @param err  errno value (0 for success)
 *
 * @return Public code
 */
int ll__code(int err)
{
	switch (err) {

	case 0:            return LL_OK;
	case EINVAL:       return LL_ERR_INVALID_ARGUMENT;
	case ENOMEM:       return LL_ERR_NO_MEMORY;
	case ETIMEDOUT:    return LL_ERR_TIMEOUT;
	case ENOENT:
	case EACCES:       return LL_ERR_FILE;
	case ENOTSUP:      return LL_ERR_NOT_SUPPORTED;
	case ENODEV:       return LL_ERR_AUDIO_DEVICE;
	case ECONNREFUSED:
	case ECONNRESET:
	case ENETUNREACH:
	case EHOSTUNREACH:
	case EADDRNOTAVAIL:
	case ENOTCONN:     return LL_ERR_NETWORK;
	case LL__EINSECURE: return LL_ERR_INSECURE;
	default:           return LL_ERR_INTERNAL;
	}
}
