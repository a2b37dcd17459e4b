/* pgstub.h: the fuzz harness's side of pgstub.c (see there). */
#ifndef AG_FUZZ_PGSTUB_H
#define AG_FUZZ_PGSTUB_H

extern char pgstub_last_error[65536]; /* message of the latest ERROR */
extern int	pgstub_last_sqlstate;	 /* its MAKE_SQLSTATE code */

/* pgstub_reset: free everything palloc'd since the last reset. */
extern void pgstub_reset(void);

#endif
