/*-------------------------------------------------------------------------
 * notify.h
 *	  agingos-notify, the relay of carer notifications (contract.md section
 *	  10, docs/notifications.md): delivers the pending rows of the
 *	  agingos.notifications outbox.  The database decides what is due and
 *	  in which order (agingos_notify_next) and records every attempt
 *	  (agingos_notify_result: sent, back-off, dead); this program only
 *	  sends — webhook and Alertmanager through libcurl's multi interface,
 *	  Apprise through Debian's apprise command — many contacts at once, one
 *	  message per contact at a time.
 *-------------------------------------------------------------------------
 */
#ifndef AG_NOTIFY_H
#define AG_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <curl/curl.h>

/* Settings, read once from the environment (env.c; --help lists them). */
typedef struct AgNotifySettings
{
	const char *pg_host;		/* AGINGOS_PGHOST, NULL = libpq's default */
	const char *pg_port;		/* AGINGOS_PGPORT */
	const char *pg_database;	/* AGINGOS_PGDATABASE */
	const char *pg_user;		/* AGINGOS_PGUSER */
	char		base_url[512];	/* AGINGOS_PUBLIC_URL or http://127.0.0.1:<AGINGOS_HTTP_PORT> */
	const char *webhook_secret; /* AGINGOS_WEBHOOK_SECRET, NULL = no signature */
	const char *apprise;		/* AGINGOS_APPRISE, the apprise command */
	int			parallel;		/* AGINGOS_NOTIFY_PARALLEL, deliveries at once */
	int			poll_ms;		/* AGINGOS_NOTIFY_POLL_MS, look for due rows at least this often */
	int			timeout_ms;		/* AGINGOS_NOTIFY_TIMEOUT_MS, one delivery attempt */
	int			am_resend_s;	/* AGINGOS_NOTIFY_AM_RESEND_S, Alertmanager re-send period */
} AgNotifySettings;

typedef enum AgChannel
{
	AG_CH_WEBHOOK,
	AG_CH_APPRISE,
	AG_CH_ALERTMANAGER,
	AG_CH_UNKNOWN
} AgChannel;

/* One delivery in flight (or one Alertmanager re-send when notification_id = 0). */
typedef struct AgJob
{
	bool			   used;
	char			   home_id[256];
	int64_t			   notification_id;
	int64_t			   contact_id;
	int				   attempts; /* before this one */
	char			   kind[24];
	AgChannel		   channel;
	CURL			  *easy;
	struct curl_slist *headers;
	char			  *body;
	pid_t			   pid;			/* apprise child, 0 = none */
	int64_t			   deadline_ms; /* monotonic: apprise is killed after it */
	bool			   done;
	bool			   ok;
	char			   error[160]; /* never a URL */
} AgJob;

/* A finished attempt waiting to be recorded (the database may be away). */
typedef struct AgResult
{
	char	home_id[256];
	int64_t notification_id;
	int64_t contact_id;
	bool	ok;
	char	error[160];
	char	kind[24];
	int		attempts; /* including this one */
} AgResult;

/* env.c */
bool ag_notify_env_read(AgNotifySettings *s);
void ag_notify_usage(FILE *out);

/* deliver.c */
int64_t		ag_now_ms(void);
AgChannel	ag_channel_parse(const char *text);
const char *ag_channel_name(AgChannel ch);
/*
 * ag_deliver_start: start sending one message (job filled with its ids):
 * webhook = POST target (body, headers of contract.md section 10);
 * alertmanager = POST target/api/v2/alerts; apprise = spawn the apprise
 * command with APPRISE_URLS=target (so the URL is in no command line or
 * log).  Returns false with job->error set when it could not be started.
 */
bool ag_deliver_start(CURLM *multi, const AgNotifySettings *s, AgJob *job, const char *target,
					  const char *title, const char *text, const char *body);
/* ag_deliver_collect: mark finished curl transfers and apprise children done. */
void ag_deliver_collect(CURLM *multi, AgJob *jobs, int njobs);
/* ag_deliver_release: free what a job holds (kills a running child). */
void ag_deliver_release(CURLM *multi, AgJob *job);

#endif /* AG_NOTIFY_H */
