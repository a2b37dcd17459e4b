/*-------------------------------------------------------------------------
 * env.c
 *	  Settings of agingos-notify, read once from the environment
 *	  (style.md section 3; docs/notifications.md).  A bad value names the
 *	  variable and ends the program with exit code 2.
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "envread.h"
#include "notify.h"

bool
ag_notify_env_read(AgNotifySettings *s)
{
	const char *pub = ag_env_get("AGINGOS_PUBLIC_URL");
	int			http_port;
	AgLogLevel	lv;

	memset(s, 0, sizeof(*s));
	if (!ag_env_level(&lv))
		return false;
	ag_log_set_level(lv);
	s->pg_host = ag_env_get("AGINGOS_PGHOST");
	s->pg_port = ag_env_get("AGINGOS_PGPORT") ? ag_env_get("AGINGOS_PGPORT") : "5432";
	s->pg_database = ag_env_get("AGINGOS_PGDATABASE") ? ag_env_get("AGINGOS_PGDATABASE") : "agingos";
	s->pg_user = ag_env_get("AGINGOS_PGUSER") ? ag_env_get("AGINGOS_PGUSER") : "agingos_notify";
	s->webhook_secret = ag_env_get("AGINGOS_WEBHOOK_SECRET");
	s->apprise = ag_env_get("AGINGOS_APPRISE") ? ag_env_get("AGINGOS_APPRISE") : "apprise";
	if (!ag_env_int("AGINGOS_HTTP_PORT", 8000, 1, 65535, &http_port) ||
		!ag_env_int("AGINGOS_NOTIFY_PARALLEL", 64, 1, 1024, &s->parallel) ||
		!ag_env_int("AGINGOS_NOTIFY_POLL_MS", 1000, 50, 60000, &s->poll_ms) ||
		!ag_env_int("AGINGOS_NOTIFY_TIMEOUT_MS", 10000, 100, 300000, &s->timeout_ms) ||
		!ag_env_int("AGINGOS_NOTIFY_AM_RESEND_S", 60, 5, 86400, &s->am_resend_s))
		return false;
	if (pub != NULL)
	{
		if ((strncmp(pub, "http://", 7) != 0 && strncmp(pub, "https://", 8) != 0) ||
			strlen(pub) >= sizeof(s->base_url) || strpbrk(pub, " \t\r\n\"<>") != NULL)
		{
			ag_log(AG_LOG_ERROR, "config_error", "an http:// or https:// URL without spaces, under 512 bytes",
				   "variable=AGINGOS_PUBLIC_URL");
			return false;
		}
		snprintf(s->base_url, sizeof(s->base_url), "%s", pub);
	}
	else
		snprintf(s->base_url, sizeof(s->base_url), "http://127.0.0.1:%d", http_port);
	return true;
}

void
ag_notify_usage(FILE *out)
{
	fputs("usage: agingos-notify [--help]\n"
		  "\n"
		  "Relay of agingos carer notifications: delivers the pending rows of the\n"
		  "agingos.notifications outbox at least once (docs/notifications.md).\n"
		  "\n"
		  "Environment (an unset or empty variable takes the default):\n"
		  "  AGINGOS_PGHOST          database host or socket directory     default libpq's (PGHOST)\n"
		  "  AGINGOS_PGPORT          database port                         default 5432\n"
		  "  AGINGOS_PGDATABASE      database name                         default agingos\n"
		  "  AGINGOS_PGUSER          database role                         default agingos_notify\n"
		  "  AGINGOS_PUBLIC_URL      base of the ACK links                 default http://127.0.0.1:<AGINGOS_HTTP_PORT>\n"
		  "  AGINGOS_HTTP_PORT       port of agingos-http for that default default 8000\n"
		  "  AGINGOS_WEBHOOK_SECRET  HMAC-SHA256 key of X-Agingos-Signature default none (no header)\n"
		  "  AGINGOS_APPRISE         the apprise command                   default apprise\n"
		  "  AGINGOS_NOTIFY_PARALLEL deliveries at once (1-1024)           default 64\n"
		  "  AGINGOS_NOTIFY_POLL_MS  look for due rows at least every (50-60000) default 1000\n"
		  "  AGINGOS_NOTIFY_TIMEOUT_MS  one delivery attempt (100-300000)  default 10000\n"
		  "  AGINGOS_NOTIFY_AM_RESEND_S re-send active alerts to Alertmanager every (5-86400) default 60\n"
		  "  AGINGOS_LOG_LEVEL       debug, info, warn or error            default info\n"
		  "\n"
		  "Logs: one key=value line per event on stderr; URLs are never logged.\n"
		  "Exit codes: 0 clean stop (SIGINT/SIGTERM), 2 usage or configuration error.\n",
		  out);
}
