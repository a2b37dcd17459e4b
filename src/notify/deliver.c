/*-------------------------------------------------------------------------
 * deliver.c
 *	  Sending one message on its channel (contract.md section 10):
 *	    webhook       POST <target>, Content-Type: application/json,
 *	                  X-Agingos-Notification-Id, and with
 *	                  AGINGOS_WEBHOOK_SECRET X-Agingos-Signature:
 *	                  sha256=<hex HMAC-SHA256 of the body> (OpenSSL)
 *	    alertmanager  POST <target>/api/v2/alerts (the body is the alert array)
 *	    apprise       the apprise command with -t title -b text and the URL
 *	                  in APPRISE_URLS, so it is in no command line
 *	  A 2xx answer (apprise: exit status 0) is success.  Error texts name
 *	  the HTTP status or libcurl's generic error, never the URL.
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "log.h"
#include "notify.h"

extern char **environ;

int64_t
ag_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

AgChannel
ag_channel_parse(const char *text)
{
	if (text == NULL)
		return AG_CH_UNKNOWN;
	if (strcmp(text, "webhook") == 0)
		return AG_CH_WEBHOOK;
	if (strcmp(text, "apprise") == 0)
		return AG_CH_APPRISE;
	if (strcmp(text, "alertmanager") == 0)
		return AG_CH_ALERTMANAGER;
	return AG_CH_UNKNOWN;
}

const char *
ag_channel_name(AgChannel ch)
{
	static const char *const names[] = {"webhook", "apprise", "alertmanager", "unknown"};

	return names[ch];
}

/* sign: "sha256=" + hex HMAC-SHA256(secret, body) into out (>= 72 bytes). */
static void
sign(const char *secret, const char *body, char *out, size_t outlen)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int  maclen = 0;
	size_t		  o;

	HMAC(EVP_sha256(), secret, (int) strlen(secret), (const unsigned char *) body, strlen(body), mac, &maclen);
	o = (size_t) snprintf(out, outlen, "sha256=");
	for (unsigned int i = 0; i < maclen && o + 3 <= outlen; i++)
		o += (size_t) snprintf(out + o, outlen - o, "%02x", mac[i]);
}

/* start_http: one POST through the multi handle. */
static bool
start_http(CURLM *multi, const AgNotifySettings *s, AgJob *job, const char *url, const char *body)
{
	char hdr[160];

	job->body = strdup(body != NULL ? body : "null");
	job->easy = curl_easy_init();
	if (job->body == NULL || job->easy == NULL)
	{
		snprintf(job->error, sizeof(job->error), "out of memory");
		return false;
	}
	job->headers = curl_slist_append(job->headers, "Content-Type: application/json");
	job->headers = curl_slist_append(job->headers, "Expect:");
	if (job->channel == AG_CH_WEBHOOK)
	{
		snprintf(hdr, sizeof(hdr), "X-Agingos-Notification-Id: %lld", (long long) job->notification_id);
		job->headers = curl_slist_append(job->headers, hdr);
		if (s->webhook_secret != NULL)
		{
			char sig[96];

			sign(s->webhook_secret, job->body, sig, sizeof(sig));
			snprintf(hdr, sizeof(hdr), "X-Agingos-Signature: %s", sig);
			job->headers = curl_slist_append(job->headers, hdr);
		}
	}
	curl_easy_setopt(job->easy, CURLOPT_URL, url);
	curl_easy_setopt(job->easy, CURLOPT_POSTFIELDS, job->body);
	curl_easy_setopt(job->easy, CURLOPT_HTTPHEADER, job->headers);
	curl_easy_setopt(job->easy, CURLOPT_USERAGENT, "agingos-notify/0.2.0");
	curl_easy_setopt(job->easy, CURLOPT_TIMEOUT_MS, (long) s->timeout_ms);
	curl_easy_setopt(job->easy, CURLOPT_CONNECTTIMEOUT_MS, (long) (s->timeout_ms < 5000 ? s->timeout_ms : 5000));
	curl_easy_setopt(job->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(job->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(job->easy, CURLOPT_PRIVATE, job);
	if (curl_multi_add_handle(multi, job->easy) != CURLM_OK)
	{
		snprintf(job->error, sizeof(job->error), "curl_multi_add_handle failed");
		return false;
	}
	return true;
}

/* start_apprise: spawn the apprise command with the URL in its environment. */
static bool
start_apprise(const AgNotifySettings *s, AgJob *job, const char *target, const char *title, const char *text)
{
	posix_spawn_file_actions_t fa;
	char					 **envp;
	size_t					   n = 0;
	char					  *urls;
	int						   rc;
	char					  *argv[] = {(char *) s->apprise, "-t", (char *) (title ? title : "agingos"), "-b",
										 (char *) (text ? text : ""), NULL};

	for (char **e = environ; *e != NULL; e++)
		n++;
	envp = calloc(n + 2, sizeof(char *));
	urls = malloc(strlen(target) + sizeof("APPRISE_URLS="));
	if (envp == NULL || urls == NULL)
	{
		free(envp);
		free(urls);
		snprintf(job->error, sizeof(job->error), "out of memory");
		return false;
	}
	n = 0;
	for (char **e = environ; *e != NULL; e++)
		if (strncmp(*e, "APPRISE_URLS=", 13) != 0 && strncmp(*e, "AGINGOS_WEBHOOK_SECRET=", 23) != 0)
			envp[n++] = *e;
	sprintf(urls, "APPRISE_URLS=%s", target);
	envp[n++] = urls;
	envp[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&job->pid, s->apprise, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	free(urls);
	free(envp);
	if (rc != 0)
	{
		job->pid = 0;
		snprintf(job->error, sizeof(job->error), "cannot run the apprise command: %s", strerror(rc));
		return false;
	}
	/* apprise starts a Python interpreter first: at least 30 s */
	job->deadline_ms = ag_now_ms() + (s->timeout_ms * 3 > 30000 ? s->timeout_ms * 3 : 30000);
	return true;
}

bool
ag_deliver_start(CURLM *multi, const AgNotifySettings *s, AgJob *job, const char *target,
				 const char *title, const char *text, const char *body)
{
	char *url;
	bool  ok;

	job->done = false;
	job->ok = false;
	job->error[0] = '\0';
	if (target == NULL)
	{
		snprintf(job->error, sizeof(job->error), "no message: the deviation or contact is gone");
		return false;
	}
	switch (job->channel)
	{
		case AG_CH_WEBHOOK:
			return start_http(multi, s, job, target, body);
		case AG_CH_ALERTMANAGER:
			url = malloc(strlen(target) + sizeof("/api/v2/alerts"));
			if (url == NULL)
				return false;
			strcpy(url, target);
			while (strlen(url) > 0 && url[strlen(url) - 1] == '/')
				url[strlen(url) - 1] = '\0';
			strcat(url, "/api/v2/alerts");
			ok = start_http(multi, s, job, url, body);
			free(url);
			return ok;
		case AG_CH_APPRISE:
			return start_apprise(s, job, target, title, text);
		default:
			snprintf(job->error, sizeof(job->error), "unknown channel");
			return false;
	}
}

void
ag_deliver_collect(CURLM *multi, AgJob *jobs, int njobs)
{
	CURLMsg *m;
	int		 left;

	while ((m = curl_multi_info_read(multi, &left)) != NULL)
	{
		AgJob *job = NULL;
		long   code = 0;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **) &job);
		if (job == NULL)
			continue;
		if (m->data.result != CURLE_OK)
			snprintf(job->error, sizeof(job->error), "%s", curl_easy_strerror(m->data.result));
		else
		{
			curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &code);
			job->ok = code >= 200 && code < 300;
			if (!job->ok)
				snprintf(job->error, sizeof(job->error), "HTTP %ld", code);
		}
		job->done = true;
	}
	for (int i = 0; i < njobs; i++)
	{
		AgJob *job = &jobs[i];
		int	   status;
		pid_t  r;

		if (!job->used || job->done || job->pid <= 0)
			continue;
		r = waitpid(job->pid, &status, WNOHANG);
		if (r == job->pid)
		{
			job->pid = 0;
			job->ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
			if (!job->ok)
				snprintf(job->error, sizeof(job->error), "apprise failed (exit status %d)",
						 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
			job->done = true;
		}
		else if (ag_now_ms() >= job->deadline_ms)
		{
			kill(job->pid, SIGKILL);
			waitpid(job->pid, &status, 0);
			job->pid = 0;
			snprintf(job->error, sizeof(job->error), "apprise timed out");
			job->done = true;
		}
	}
}

void
ag_deliver_release(CURLM *multi, AgJob *job)
{
	if (job->easy != NULL)
	{
		curl_multi_remove_handle(multi, job->easy);
		curl_easy_cleanup(job->easy);
	}
	if (job->headers != NULL)
		curl_slist_free_all(job->headers);
	if (job->pid > 0)
	{
		int status;

		kill(job->pid, SIGKILL);
		waitpid(job->pid, &status, 0);
	}
	free(job->body);
	memset(job, 0, sizeof(*job));
}
