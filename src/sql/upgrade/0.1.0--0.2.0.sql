-- agingos upgrade 0.1.0 -> 0.2.0: the DDL delta (tables, columns, indexes,
-- constraints, dropped or re-typed functions).  The Makefile appends every
-- src/sql/code/*.sql part after it, so functions, comments and grants need
-- no copy here: only what CREATE OR REPLACE cannot do.
-- Checked by a test that compares the upgraded catalog with a fresh install.

\echo Use "ALTER EXTENSION agingos UPDATE TO '0.2.0'" to load this file. \quit

-- issue 16: pg_dump / pg_restore.  No DDL here on purpose: code part
-- src/sql/code/95_dump.sql (appended below) marks every identity sequence
-- for pg_extension_config_dump, filters the settings row the install script
-- inserts and adds the settings_merge trigger; it is idempotent, so it does
-- the same on an upgraded and on a fresh database.
