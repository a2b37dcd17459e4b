/*-------------------------------------------------------------------------
 * agingos.h
 *	  Types and limits shared by every part of the agingos extension.
 *	  Event fields: contract.md sections 3 and 5; rule output: rules.md 1.7.
 *-------------------------------------------------------------------------
 */
#ifndef AGINGOS_H
#define AGINGOS_H

#include "postgres.h"

#include "utils/jsonb.h"
#include "utils/timestamp.h"

/* Limits of contract.md section 5 and section 4 (batch). */
#define AG_MAX_ID_LEN 128		   /* characters of an event id */
#define AG_MAX_PAYLOAD_BYTES 16384 /* raw UTF-8 text of the payload member */
#define AG_MAX_PAYLOAD_DEPTH 32	   /* payload object counts as depth 1 */
#define AG_MAX_BATCH_ITEMS 10000   /* items in one agingos_ingest_batch call */
#define AG_MAX_CATEGORY_LEN 64

/*
 * Number of registered rules: R-001 ... R-010 (rules.md section 3) and
 * R-011 "not back home" (docs/alarm-quality.md, rules.md D34).
 */
#define AG_NUM_RULES 11

/*
 * AgEvent: one stored event as the engine hands it to a rule.
 * Arrays of AgEvent are always in EVENT ORDER (rules.md 1.3): ascending ts,
 * ties by id compared bytewise.  All strings are NUL-terminated and never
 * NULL; room is "" when the event has no room (ROOM(payload), rules.md 1.4).
 */
typedef struct AgEvent
{
	TimestampTz ts; /* "timestamp", UTC, microseconds */
	const char *id; /* event_id text as normalised at ingest */
	const char *category;
	const char *room; /* ROOM(payload); "" = no room */
	const char *stream_id;
	Jsonb	   *payload; /* never NULL; a non-object counts as {} */
} AgEvent;

/* Severity order LOW < MEDIUM < HIGH (rules.md 1.7); 0 = none. */
typedef enum AgSeverity
{
	AG_SEV_NONE = 0,
	AG_SEV_LOW = 1,
	AG_SEV_MEDIUM = 2,
	AG_SEV_HIGH = 3
} AgSeverity;

extern const char *ag_severity_name(AgSeverity sev);

/* agingos.fault_injection_rule GUC (agingos.c); "" when unset. */
extern char *ag_fault_injection_rule;

#endif /* AGINGOS_H */
