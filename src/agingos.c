/*-------------------------------------------------------------------------
 * agingos.c
 *	  Module magic and shared trivia of the agingos extension.
 *	  What agingos is: README.md; architecture: docs/design (shared).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "agingos.h"

PG_MODULE_MAGIC;

/*
 * agingos.fault_injection_rule (superuser only, default empty): a rule id
 * such as 'R-002' whose evaluation then raises in every scheduler tick.
 * A testing aid for the tick's failure isolation (rules.md section 5,
 * D18); never set in production.
 */
char *ag_fault_injection_rule = NULL;

void _PG_init(void);

/* _PG_init: define the agingos.* GUCs and reserve the prefix. */
void
_PG_init(void)
{
	DefineCustomStringVariable("agingos.fault_injection_rule",
							   "Testing aid: a rule id whose evaluation raises in scheduler ticks.",
							   "Used by the regression tests of failure isolation; leave empty.",
							   &ag_fault_injection_rule,
							   "",
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);
	MarkGUCPrefixReserved("agingos");
}

/*
 * ag_severity_name: "LOW", "MEDIUM" or "HIGH" (rules.md 1.7); NULL for
 * AG_SEV_NONE.
 */
const char *
ag_severity_name(AgSeverity sev)
{
	switch (sev)
	{
		case AG_SEV_LOW:
			return "LOW";
		case AG_SEV_MEDIUM:
			return "MEDIUM";
		case AG_SEV_HIGH:
			return "HIGH";
		default:
			return NULL;
	}
}
