/*-------------------------------------------------------------------------
 * auth.h
 *	  API-key authorisation of the HTTP routes and the caller context that
 *	  row-level security reads (contract.md section 12, docs/security.md).
 *-------------------------------------------------------------------------
 */
#ifndef AGINGOS_AUTH_H
#define AGINGOS_AUTH_H

#include "postgres.h"

#include "util.h"

/* What a request wants to do; decides which key roles may (contract 12). */
typedef enum AgAction
{
	AG_ACT_POST_EVENTS, /* POST /event, /v1/event, /events/batch: ingest, admin */
	AG_ACT_READ,		/* every GET route: read, carer, admin */
	AG_ACT_ACK,			/* PATCH /deviations/{id}: carer, admin */
	AG_ACT_ADMIN		/* anything else (persist, keys): admin */
} AgAction;

/* The authorised caller of a request (auth.c). */
typedef struct AgCaller
{
	int			nhomes;
	char	  **homes;	/* the key's homes, narrowed to the requested one */
	int64		key_id; /* 0 in auth mode none */
	const char *role;
	const char *actor; /* "key:<key_id>", or NULL in auth mode none */
} AgCaller;

/*
 * ag_auth: authorise a request and set the caller context that the
 * row-level security policies read (docs/security.md).  api_key: the
 * X-API-Key value or NULL; want_home: the home_id query argument or NULL.
 * Auth mode none (exactly): every caller is home "default".  Mode api_key
 * (exactly): 28000 for a missing, unknown or revoked key; 42501 for a role
 * that may not do action; P0002 for a want_home the key does not cover.
 * Any other stored mode, or none stored: 28000 (fails closed).
 * Returns false with err set; caller is in SPI.
 */
extern bool ag_auth(const char *api_key, AgAction action, const char *want_home, AgCaller *out, AgError *err);

/*
 * ag_auth_one: the caller's one home; 22023 (home_id required) when the
 * key covers several and the request did not narrow to one.
 */
extern bool ag_auth_one(const AgCaller *caller, const char **home_id, AgError *err);

#endif /* AGINGOS_AUTH_H */
