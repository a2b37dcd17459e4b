/*-------------------------------------------------------------------------
 * buf.h
 *	  Growable buffers: text (AgBuf) and a time-ordered event queue
 *	  (AgEventBuf).  Allocation failure aborts: the simulator has nothing
 *	  sensible to do without memory.
 *-------------------------------------------------------------------------
 */
#ifndef AG_SIM_BUF_H
#define AG_SIM_BUF_H

#include "sim.h"

typedef struct AgBuf
{
	char  *data; /* always NUL-terminated once anything was appended */
	size_t len, cap;
} AgBuf;

void ag_buf_reset(AgBuf *b);
void ag_buf_free(AgBuf *b);
void ag_buf_append(AgBuf *b, const char *s, size_t n);
void ag_buf_puts(AgBuf *b, const char *s);
void ag_buf_printf(AgBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A queue of events: [head, n) are pending, sorted by (ts, order). */
typedef struct AgEventBuf
{
	AgEvent *ev;
	size_t	 head, n, cap;
} AgEventBuf;

void	 ag_evbuf_push(AgEventBuf *q, AgEvent e);
void	 ag_evbuf_sort(AgEventBuf *q);
AgEvent *ag_evbuf_head(AgEventBuf *q); /* NULL when empty */
void	 ag_evbuf_pop(AgEventBuf *q);
void	 ag_evbuf_push_front(AgEventBuf *q, AgEvent e);
void	 ag_evbuf_free(AgEventBuf *q);

#endif /* AG_SIM_BUF_H */
