-- agingos upgrade 0.1.0 -> 0.2.0: the DDL delta (tables, columns, indexes,
-- constraints, dropped or re-typed functions).  The Makefile appends every
-- src/sql/code/*.sql part after it, so functions, comments and grants need
-- no copy here: only what CREATE OR REPLACE cannot do.
-- Checked by a test that compares the upgraded catalog with a fresh install.

\echo Use "ALTER EXTENSION agingos UPDATE TO '0.2.0'" to load this file. \quit

-- issue 17: agingos_rule_truth gains missing_sensor (NOT_APPLICABLE, rules.md D32)
DROP FUNCTION IF EXISTS agingos.agingos_rule_truth(text, timestamptz);
