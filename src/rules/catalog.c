/*-------------------------------------------------------------------------
 * catalog.c
 *	  agingos_rules: the rule catalogue behind GET /rules (rule id, title in
 *	  the active config's locale, one-line purpose; docs/spec/rules.md
 *	  sections 1.7 and 3).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "config.h"
#include "rules/rule.h"

PG_FUNCTION_INFO_V1(agingos_rules);

/* What each rule checks, in one line (rules.md section 3 "Purpose"). */
static const char *const rule_purpose[AG_NUM_RULES] = {
	"Reports a window in which no active motion or presence signal was recorded.",
	"Reports a front-door opening during the local night.",
	"Reports a front-door opening that is not followed by any movement.",
	"Reports an unusually long uninterrupted presence in the bathroom.",
	"Reports the absence of bathroom presence over a long period.",
	"Reports a daytime period with no presence in the living room.",
	"Reports frequent moves between rooms during the night.",
	"Reports many door events at the entrance within a short time.",
	"Reports that the home has stopped delivering events.",
	"Reports presence sensors that say present for too long without turning off.",
	"Reports a resident who left through the front door and is not back in time.",
};

/*
 * agingos_rules() → SETOF (rule_id text, title text, description text)
 * The registered rules R-001 ... R-010 in rule-id order; title in the
 * active config's locale (rules.md 1.7), description the rule's purpose.
 */
Datum
agingos_rules(PG_FUNCTION_ARGS)
{
	ReturnSetInfo  *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const AgConfig *cfg = ag_config_current();

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < AG_NUM_RULES; i++)
	{
		Datum			   v[3];
		bool			   n[3] = {false, false, false};
		const AgRuleTexts *t = ag_rules[i].texts;

		v[0] = CStringGetTextDatum(ag_rules[i].id);
		v[1] = CStringGetTextDatum(cfg->locale == AG_LOCALE_EN ? t->title_en : t->title_nb);
		v[2] = CStringGetTextDatum(rule_purpose[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
	}
	return (Datum) 0;
}
