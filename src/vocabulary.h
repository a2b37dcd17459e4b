/*-------------------------------------------------------------------------
 * vocabulary.h
 *	  Per-home vocabulary (docs/home-assistant.md "Per-home vocabulary",
 *	  issue 18): each home may name the roles the rules refer to (bathroom,
 *	  living room, bedroom, front-door room, front-door entity ids and door
 *	  name, liveness categories, time zone) with its own words.  The roles a
 *	  home does not set keep the config's params (config/rules.yaml).
 *
 *	  The engine evaluates a home with ag_home_config(), a copy of the active
 *	  AgConfig with the home's names put into the params that hold each
 *	  role, so the rules stay pure functions of (events, clock, params).
 *-------------------------------------------------------------------------
 */
#ifndef AGINGOS_VOCABULARY_H
#define AGINGOS_VOCABULARY_H

#include "postgres.h"

#include "config.h"

/*
 * ag_home_config: the config the rules see for home_id: cfg itself when
 * the home has no agingos.home_vocabulary row, else a shallow copy
 * (palloc'd in CurrentMemoryContext) with the home's names in place:
 *	 bathroom			 -> R-004, R-005 bathroom_room_id
 *	 living_room		 -> R-006 living_room_id
 *	 front_door_room	 -> R-006, R-007, R-008 front_door_room_id
 *	 front_door_entity_ids -> R-002 allowed_entity_ids
 *	 front_door_name	 -> R-003 required_door_name
 *	 liveness_categories -> R-009 liveness_categories (and the
 *							overrides when the config sets them)
 *	 timezone			 -> timezone and every rule's timezone/tz param
 * and R-010's medium_rooms/low_rooms translated item by item (an item
 * equal to the config's name of a room role becomes the home's name; the
 * config's bedroom is the first low_rooms item that is not the living
 * room).  Uses SPI (connects itself); values were validated when stored.
 */
extern const AgConfig *ag_home_config(const AgConfig *cfg, const char *home_id);

#endif /* AGINGOS_VOCABULARY_H */
