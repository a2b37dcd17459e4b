/*-------------------------------------------------------------------------
 * agingos.c
 *	  Module magic and shared trivia of the agingos extension.
 *	  What agingos is: README.md; architecture: docs/design (shared).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

#include "agingos.h"

PG_MODULE_MAGIC;

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
