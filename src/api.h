/*-------------------------------------------------------------------------
 * api.h
 *	  Helpers of the HTTP route functions (contract.md section 6): API-key
 *	  authorisation and the SQLSTATE → HTTP status mapping.
 *-------------------------------------------------------------------------
 */
#ifndef AGINGOS_API_H
#define AGINGOS_API_H

#include "postgres.h"

#include "util.h"

/* What a request wants to do; decides which key roles may (contract 6). */
typedef enum AgAction
{
	AG_ACT_POST_EVENTS, /* POST /event, /v1/event, /events/batch: ingest, admin */
	AG_ACT_READ,		/* every GET route: read, admin */
	AG_ACT_ADMIN		/* anything else (PATCH, persist): admin */
} AgAction;

/*
 * ag_auth: decide the caller's home.  api_key: the X-API-Key value or NULL.
 * With agingos.settings auth_mode = none, every caller is home "default".
 * With api_key: 28000 for a missing or unknown key, 42501 for a role that
 * may not do action.  Returns false with err set; caller is in SPI.
 */
extern bool ag_auth(const char *api_key, AgAction action, char **home_id, AgError *err);

/*
 * ag_http_status: the HTTP status for a SQLSTATE (contract.md section 6):
 * class 22 → 400, 28000 → 401, 42501 → 403, P0002 → 404, 23505 → 409,
 * anything else → 500.
 */
extern int ag_http_status(int sqlstate);

#endif /* AGINGOS_API_H */
