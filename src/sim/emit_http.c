/*-------------------------------------------------------------------------
 * emit_http.c
 *	  http mode: libcurl, one easy handle (keep-alive).  Contract section 6:
 *	  POST /event answers {"received","deduped","event_id"}, POST
 *	  /events/batch {"accepted","deduped","rejected","results"}.  Transport
 *	  errors and 5xx are retried (6 attempts, 0.5 s doubling back-off);
 *	  400/409 on /event count as a rejected event; other statuses stop.
 *-------------------------------------------------------------------------
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "buf.h"
#include "emit.h"

struct AgHttp
{
	CURL						*curl;
	char						 base[512];
	AgBuf						 body;
	volatile const sig_atomic_t *stop; /* no more retries once set */
};

/* on_body: libcurl write callback: collect the response body. */
static size_t
on_body(char *data, size_t size, size_t n, void *user)
{
	ag_buf_append((AgBuf *) user, data, size * n);
	return size * n;
}

AgHttp *
ag_http_open(const char *url, volatile const sig_atomic_t *stop)
{
	AgHttp *h = calloc(1, sizeof(AgHttp));

	if (h == NULL)
		abort();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || (h->curl = curl_easy_init()) == NULL)
	{
		ag_log(AG_LOG_ERROR, "http_init_failed", "libcurl could not be initialised", NULL);
		free(h);
		return NULL;
	}
	snprintf(h->base, sizeof(h->base), "%s", url);
	h->stop = stop;
	return h;
}

void
ag_http_close(AgHttp *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->curl);
	ag_buf_free(&h->body);
	free(h);
	curl_global_cleanup();
}

/*
 * json_member: the text right after "key": (skipping blanks) at or after
 * from in body, or NULL.  A "key" that is a value (not followed by ':') is
 * skipped, so "rejected" the status does not hide "rejected" the count.
 */
static const char *
json_member(const char *body, const char *from, const char *key)
{
	char		pat[64];
	const char *p = from ? from : body;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	while ((p = strstr(p, pat)) != NULL)
	{
		const char *q = p + strlen(pat);

		while (*q == ' ' || *q == '\n' || *q == '\t' || *q == '\r')
			q++;
		if (*q == ':')
		{
			q++;
			while (*q == ' ' || *q == '\n' || *q == '\t' || *q == '\r')
				q++;
			return q;
		}
		p = q;
	}
	return NULL;
}

/* json_uint: the number value of key (0 when absent). */
static uint64_t
json_uint(const char *body, const char *key)
{
	const char *v = json_member(body, NULL, key);

	return v ? strtoull(v, NULL, 10) : 0;
}

/* log_rejection: code and message of an error object at or after from. */
static void
log_rejection(const char *event, const char *body, const char *from, long status)
{
	const char *code = json_member(body, from, "code");
	const char *msg = json_member(body, from, "message");
	char		c[16] = "none", m[256] = "";

	if (code != NULL && *code == '"')
		snprintf(c, sizeof(c), "%.*s", (int) strcspn(code + 1, "\""), code + 1);
	if (msg != NULL && *msg == '"')
		snprintf(m, sizeof(m), "%.*s", (int) strcspn(msg + 1, "\""), msg + 1);
	ag_log(AG_LOG_ERROR, event, m, "status=%ld code=%s", status, c);
}

/* count: fold a 200 answer into *r. */
static void
count(const char *path, const char *body, AgIngestResult *r)
{
	if (strcmp(path, "/event") == 0)
	{
		const char *d = json_member(body, NULL, "deduped");

		if (d != NULL && strncmp(d, "true", 4) == 0)
			r->deduped++;
		else
			r->accepted++;
		return;
	}
	r->accepted += json_uint(body, "accepted");
	r->deduped += json_uint(body, "deduped");
	r->rejected += json_uint(body, "rejected");
	if (json_uint(body, "rejected") > 0)
	{
		const char *p = body, *v;

		/* log the first rejected item's error */
		while ((v = json_member(body, p, "status")) != NULL && strncmp(v, "\"rejected\"", 10) != 0)
			p = v;
		log_rejection("event_rejected", body, v, 200);
	}
}

/* attempt: one POST; the HTTP status, or -1 on a transport error. */
static long
attempt(AgHttp *h, const char *path, const char *key, const char *body)
{
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	char			   url[600], keyhdr[300];
	long			   status = -1;
	CURLcode		   rc;

	if (key != NULL)
	{
		snprintf(keyhdr, sizeof(keyhdr), "X-API-Key: %s", key);
		hdr = curl_slist_append(hdr, keyhdr);
	}
	snprintf(url, sizeof(url), "%s%s", h->base, path);
	ag_buf_reset(&h->body);
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen(body));
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &h->body);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(h->curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	else
		ag_log(AG_LOG_WARN, "http_error", curl_easy_strerror(rc), "path=%s", path);
	curl_slist_free_all(hdr);
	return status;
}

/* MAX_THROTTLED: 429 answers waited out per request before it counts as failed */
#define MAX_THROTTLED 120

bool
ag_http_post(AgHttp *h, const char *path, const char *key, const char *body, int nevents,
			 AgIngestResult *r, uint64_t *http_errors)
{
	long delay_ms = 500;
	int	 throttled = 0;

	for (int n = 1; n <= 6; n++)
	{
		long			status = attempt(h, path, key, body);
		const char	   *text = h->body.data ? h->body.data : "";
		struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};

		if (status == 200)
		{
			count(path, text, r);
			return true;
		}
		if (status == 429 && throttled < MAX_THROTTLED && !(h->stop != NULL && *h->stop))
		{
			/* the key's rate limit (docs/http.md): nothing was stored; wait as told and send again */
			curl_off_t		wait_s = 0;
			struct timespec w;

			if (curl_easy_getinfo(h->curl, CURLINFO_RETRY_AFTER, &wait_s) != CURLE_OK || wait_s <= 0)
				wait_s = 1;
			if (wait_s > 30)
				wait_s = 30;
			w.tv_sec = (time_t) wait_s;
			w.tv_nsec = 0;
			throttled++;
			ag_log(AG_LOG_WARN, "http_throttled", NULL, "path=%s status=429 retry_after_s=%ld", path, (long) wait_s);
			nanosleep(&w, NULL);
			n--; /* a throttled request is no failed attempt */
			continue;
		}
		if ((status == 400 || status == 409) && strcmp(path, "/event") == 0)
		{
			r->rejected++;
			log_rejection("event_rejected", text, NULL, status);
			return true;
		}
		(*http_errors)++;
		if (status > 0 && status < 500)
		{
			log_rejection("http_refused", text, NULL, status);
			ag_log(AG_LOG_ERROR, "http_failed", "the server refused the request; not retried", "path=%s status=%ld events=%d",
				   path, status, nevents);
			return false;
		}
		if (n == 6 || (h->stop != NULL && *h->stop))
			break;
		ag_log(AG_LOG_WARN, "http_retry", NULL, "path=%s status=%ld attempt=%d delay_ms=%ld", path, status, n, delay_ms);
		nanosleep(&ts, NULL);
		delay_ms *= 2;
	}
	ag_log(AG_LOG_ERROR, "http_failed", "no answer after 6 attempts", "path=%s events=%d", path, nevents);
	return false;
}
