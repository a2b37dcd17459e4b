/*-------------------------------------------------------------------------
 * ingest_int.h
 *	  Storage helpers shared by ingest.c (one event) and ingest_batch.c (a
 *	  batch): docs/scale.md "Dedupe and 409 across partitions".  Each needs
 *	  an SPI connection; errors are elog(ERROR) for SPI failures only.
 *-------------------------------------------------------------------------
 */
#ifndef AGINGOS_INGEST_INT_H
#define AGINGOS_INGEST_INT_H

#include "executor/spi.h"

#include "eventjson.h"
#include "ingest.h"

/*
 * AG_EVENT_KEY_HASH(home, id): agingos.event_keys.key_hash of the SQL
 * expressions home and id, as the trigger events_keys computes it
 * (src/sql/code/12_event_keys.sql).
 */
#define AG_EVENT_KEY_HASH(home, id) \
	"pg_catalog.hashtextextended(" home " OPERATOR(pg_catalog.||) pg_catalog.chr(31) OPERATOR(pg_catalog.||) " id ", 0)"

/*
 * ag_ingest_key_instants: the distinct instants agingos.event_keys holds
 * for the hashes of (home_id, ids[0 .. n-1]) — where a stored event with
 * one of these ids may be (a hash hit, rechecked by the caller against
 * events) — as a timestamptz[] Datum, or (Datum) 0 when there is none (no
 * id is stored: the common case).  One prepared SELECT on the latest
 * snapshot; the caller holds the home's or the id's lock.
 */
extern Datum ag_ingest_key_instants(const char *home_id, char **ids, int n);

/*
 * ag_ingest_have_keys: whether agingos.event_keys exists.  Not in an
 * 0.1.0 schema still running with this library (the package upgraded,
 * ALTER EXTENSION agingos UPDATE not yet run): there the probes use its
 * unique (home_id, event_id) index instead (docs/ops/deploy.md "Upgrade to a new release").
 */
extern bool ag_ingest_have_keys(void);

/* ag_text_array: a text[] Datum of the n C strings strs[0 .. n-1]. */
extern Datum ag_text_array(char **strs, int n);

/* ag_ingest_keep_plan: SPI_prepare_cursor sql (nargs arguments of argtypes, cursor_options) and keep it. */
extern SPIPlanPtr ag_ingest_keep_plan(const char *sql, int nargs, Oid *argtypes, int cursor_options);

/* ag_ingest_lock_home: the home's transaction advisory lock (held to commit). */
extern void ag_ingest_lock_home(const char *home_id);

/* ag_ingest_execute_latest: SPI_execute_snapshot of plan on the latest snapshot. */
extern int ag_ingest_execute_latest(SPIPlanPtr plan, Datum *values, long tcount);

/* ag_ingest_insert_event: INSERT ev (the caller holds the lock and found no row). */
extern void ag_ingest_insert_event(const char *home_id, const char *stream_id, const AgParsedEvent *ev);

/*
 * ag_ingest_classify_repeat: true with out->status deduped or rejected (23505)
 * when the id is stored; false when it is not.
 */
extern bool ag_ingest_classify_repeat(const char *home_id, const AgParsedEvent *ev, AgIngestOutcome *out);

#endif
