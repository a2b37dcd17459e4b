/*-------------------------------------------------------------------------
 * log.c
 *	  agingos_log: the one-line LOG messages of the extension's SQL code
 *	  (docs/spec/contract.md section 9).  The scheduler tick's home loop
 *	  (src/tick.c) writes its rule_engine error lines with ag_log_line.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "util.h"

PG_FUNCTION_INFO_V1(agingos_log);

/*
 * ag_log_line: write msg at level LOG as exactly one line, without
 * CONTEXT or STATEMENT lines (contract.md section 9).  Callers never pass
 * payloads or keys.
 */
void
ag_log_line(const char *msg)
{
	ereport(LOG, (errmsg_internal("%s", msg), errhidestmt(true), errhidecontext(true)));
}

/*
 * agingos_log(message text) → void
 * ag_log_line for SQL callers; a NULL message writes nothing.
 */
Datum
agingos_log(PG_FUNCTION_ARGS)
{
	if (!PG_ARGISNULL(0))
		ag_log_line(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	PG_RETURN_VOID();
}
