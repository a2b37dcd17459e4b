/*-------------------------------------------------------------------------
 * ingest.h
 *	  Validate and store sensor events (contract.md sections 4 and 5).
 *-------------------------------------------------------------------------
 */
#ifndef AGINGOS_INGEST_H
#define AGINGOS_INGEST_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "util.h"

/* One event after validation: every field checked, id normalised. */
typedef struct AgParsedEvent
{
	char	   *event_id; /* UUIDs lower-case canonical, others as given */
	TimestampTz ts;		  /* UTC */
	char	   *category;
	Jsonb	   *payload; /* {} when the member was absent */
} AgParsedEvent;

/* What happened to one event (a batch item or a single call). */
typedef enum AgIngestStatus
{
	AG_INGEST_ACCEPTED,
	AG_INGEST_DEDUPED,
	AG_INGEST_REJECTED
} AgIngestStatus;

typedef struct AgIngestOutcome
{
	AgIngestStatus status;
	char		  *event_id; /* normalised id, or the raw id string, or NULL */
	AgError		   error;	 /* set when status = AG_INGEST_REJECTED */
} AgIngestOutcome;

/*
 * ag_ingest_event: validate the JSON text of one event (len bytes) and
 * store it for home_id / stream_id.  Never throws for bad input: the
 * outcome says accepted, deduped (identical repeat) or rejected with the
 * error (22007, 22023, 22030, 22P02, 22P05, 23505).  Caller is connected to
 * SPI.  Errors of the database itself (disk full, …) do propagate.
 */
extern void ag_ingest_event(const char *json, int len, const char *home_id,
							const char *stream_id, AgIngestOutcome *out);

/*
 * ag_ingest_batch: validate and store a JSON array of events (len bytes).
 * Returns false with err set when the batch as a whole is unusable (not an
 * array, invalid JSON, more than AG_MAX_BATCH_ITEMS items, too deep): then
 * nothing is stored.  Otherwise appends the contract section 4 result object
 * {"accepted","deduped","rejected","results"} to buf and returns true.
 * Caller is connected to SPI.
 */
extern bool ag_ingest_batch(const char *json, int len, const char *home_id,
							const char *stream_id, StringInfo buf, AgError *err);

/* ag_ingest_check_scope: validate home_id / stream_id arguments (22023). */
extern bool ag_ingest_check_scope(const char *home_id, const char *stream_id, AgError *err);

/* ag_ingest_outcome_json: append {"received":true,"deduped":…,"event_id":…}. */
extern void ag_ingest_outcome_json(StringInfo buf, const AgIngestOutcome *out);

#endif /* AGINGOS_INGEST_H */
