/*-------------------------------------------------------------------------
 * plan.c
 *	  Segment lists of a resident plan (see plan.h).  Plans are small (a
 *	  few dozen segments a day), so edits rebuild the array.
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

void
ag_plan_reset(AgPlan *p, AgTime start)
{
	p->n = 0;
	p->start = p->end = start;
}

void
ag_plan_free(AgPlan *p)
{
	free(p->seg);
	memset(p, 0, sizeof(*p));
}

/* append_raw: add seg at the end, merging with an equal neighbour. */
static void
append_raw(AgPlan *p, AgSegment seg)
{
	if (seg.end <= seg.start)
		return;
	if (p->n > 0 && p->seg[p->n - 1].room == seg.room && p->seg[p->n - 1].flags == seg.flags &&
		p->seg[p->n - 1].end == seg.start)
	{
		p->seg[p->n - 1].end = seg.end;
		return;
	}
	if (p->n == p->cap)
	{
		p->cap = p->cap ? p->cap * 2 : 64;
		p->seg = realloc(p->seg, (size_t) p->cap * sizeof(AgSegment));
		if (p->seg == NULL)
			abort();
	}
	p->seg[p->n++] = seg;
}

void
ag_plan_push(AgPlan *p, int room, int flags, AgTime secs)
{
	if (secs <= 0)
		return;
	append_raw(p, (AgSegment){p->end, p->end + secs, (int8_t) room, (uint8_t) flags});
	p->end += secs;
}

void
ag_plan_push_until(AgPlan *p, int room, int flags, AgTime until)
{
	ag_plan_push(p, room, flags, until - p->end);
}

int
ag_plan_room_at(const AgPlan *p, AgTime t)
{
	for (int i = 0; i < p->n; i++)
		if (p->seg[i].start <= t && t < p->seg[i].end)
			return p->seg[i].room;
	return -3;
}

/*
 * rebuild: split every segment at from and to; the pieces inside
 * [from, to) are overwritten (room repl, flags) or, when their room is
 * match, moved to repl; everything is re-appended with merging.
 */
static void
rebuild(AgPlan *p, AgTime from, AgTime to, int match, int repl, bool overwrite, int flags)
{
	AgSegment *old = p->seg;
	int		   n = p->n;
	int		   prev_room = AG_SOVEROM;

	p->seg = NULL;
	p->n = p->cap = 0;
	for (int i = 0; i < n; i++)
	{
		AgTime s = old[i].start, e = old[i].end;
		AgTime piece_bounds[3][2] = {{s, e < from ? e : from},
									 {s > from ? s : from, e < to ? e : to},
									 {s > to ? s : to, e}};

		for (int k = 0; k < 3; k++)
		{
			AgSegment piece = old[i];

			piece.start = piece_bounds[k][0];
			piece.end = piece_bounds[k][1];
			if (piece.end <= piece.start)
				continue;
			if (k == 1 && overwrite)
			{
				piece.room = (int8_t) repl;
				piece.flags = (uint8_t) flags;
			}
			else if (k == 1 && piece.room == match)
			{
				piece.room = (int8_t) (repl == AG_PREV_ROOM ? prev_room : repl);
				if (repl == AG_PREV_ROOM)
					piece.flags = p->n > 0 ? p->seg[p->n - 1].flags : 0;
			}
			append_raw(p, piece);
			prev_room = p->seg[p->n - 1].room;
		}
	}
	free(old);
}

void
ag_plan_overwrite(AgPlan *p, AgTime from, AgTime to, int room, int flags)
{
	from = from > p->start ? from : p->start;
	to = to < p->end ? to : p->end;
	if (to <= from)
		return;
	rebuild(p, from, to, 0, room, true, flags);
}

void
ag_plan_replace(AgPlan *p, AgTime from, AgTime to, int match, int repl)
{
	from = from > p->start ? from : p->start;
	to = to < p->end ? to : p->end;
	if (to <= from)
		return;
	rebuild(p, from, to, match, repl, false, 0);
}
