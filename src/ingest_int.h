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
 * AG_EVENT_KEY_HASH(home, id): the SQL expression of index
 * events_home_event_hash_idx (src/sql/schema/00_schema.sql) over the SQL
 * expressions home and id; a probe spells it so for the planner to use the
 * index, then rechecks home_id and event_id themselves.
 */
#define AG_EVENT_KEY_HASH(home, id) \
	"pg_catalog.hashtextextended(" home " OPERATOR(pg_catalog.||) pg_catalog.chr(31) OPERATOR(pg_catalog.||) " id ", 0)"

/*
 * AG_EVENT_KEY_RECHECK(cond): " AND (cond) IS TRUE", the exact recheck of
 * home_id and event_id after the hash.  Wrapped so that it is no index
 * qualification: with a plain home_id = $1 the planner may pick an index
 * leading with home_id (a scan of the home's whole history per partition)
 * for a partition whose statistics say it is empty or small, and keep that
 * generic plan while the partition fills.  The columns are NOT NULL, so IS
 * TRUE changes no answer.
 */
#define AG_EVENT_KEY_RECHECK(cond) " AND (" cond ") IS TRUE"

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
