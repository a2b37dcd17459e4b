/*-------------------------------------------------------------------------
 * registry.c
 *	  The table of registered rules R-001 ... R-010 (rules.md section 3),
 *	  in rule-id order.  Index i holds rule R-00(i+1).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "rules/rule.h"

#define AG_RULE_ENTRY(idtext, n)                                              \
	{                                                                         \
		idtext, ag_rule_##n##_range, ag_rule_##n##_eval, &ag_rule_##n##_texts \
	}

const AgRuleDef ag_rules[AG_NUM_RULES] = {
	AG_RULE_ENTRY("R-001", r001),
	AG_RULE_ENTRY("R-002", r002),
	AG_RULE_ENTRY("R-003", r003),
	AG_RULE_ENTRY("R-004", r004),
	AG_RULE_ENTRY("R-005", r005),
	AG_RULE_ENTRY("R-006", r006),
	AG_RULE_ENTRY("R-007", r007),
	AG_RULE_ENTRY("R-008", r008),
	AG_RULE_ENTRY("R-009", r009),
	AG_RULE_ENTRY("R-010", r010),
	AG_RULE_ENTRY("R-011", r011),
};

/*
 * ag_rule_index: index (0 .. AG_NUM_RULES-1) of the rule whose id equals
 * id exactly ("R-001" ... "R-010"), or -1 for any other text.
 */
int
ag_rule_index(const char *id)
{
	for (int i = 0; i < AG_NUM_RULES; i++)
	{
		if (strcmp(ag_rules[i].id, id) == 0)
			return i;
	}
	return -1;
}
