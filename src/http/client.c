/*-------------------------------------------------------------------------
 * client.c
 *	  The client's address (client.h).  X-Forwarded-For is believed only
 *	  from a peer listed in AGINGOS_TRUSTED_PROXIES; anyone else could
 *	  write any address into it.  Addresses are parsed by inet_pton only.
 *-------------------------------------------------------------------------
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "client.h"

static AgAddr proxies[AG_MAX_PROXIES];
static int	  n_proxies = 0;

/* is_v4_mapped: ::ffff:a.b.c.d (byte-wise: bytes may be unaligned). */
static bool
is_v4_mapped(const unsigned char *b)
{
	static const unsigned char prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return memcmp(b, prefix, sizeof(prefix)) == 0;
}

void
ag_addr_from_sockaddr(const struct sockaddr *sa, AgAddr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
	{
		const struct sockaddr_in *a4 = (const struct sockaddr_in *) sa;

		out->family = AF_INET;
		memcpy(out->bytes, &a4->sin_addr, 4);
	}
	else if (sa->sa_family == AF_INET6)
	{
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *) sa;

		if (is_v4_mapped(a6->sin6_addr.s6_addr))
		{
			out->family = AF_INET;
			memcpy(out->bytes, a6->sin6_addr.s6_addr + 12, 4);
		}
		else
		{
			out->family = AF_INET6;
			memcpy(out->bytes, &a6->sin6_addr, 16);
		}
	}
}

bool
ag_addr_parse(const char *text, size_t len, AgAddr *out)
{
	char buf[AG_ADDR_TEXT + 1];

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > AG_ADDR_TEXT || memchr(text, '\0', len) != NULL)
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, out->bytes) == 1)
	{
		out->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, buf, out->bytes) == 1)
	{
		out->family = AF_INET6;
		if (is_v4_mapped(out->bytes))
		{
			memmove(out->bytes, out->bytes + 12, 4);
			memset(out->bytes + 4, 0, 12);
			out->family = AF_INET;
		}
		return true;
	}
	memset(out, 0, sizeof(*out));
	return false;
}

const char *
ag_addr_text(const AgAddr *addr, char *dst, size_t dstlen)
{
	if (addr->family == 0 || inet_ntop(addr->family, addr->bytes, dst, (socklen_t) dstlen) == NULL)
		snprintf(dst, dstlen, "unknown");
	return dst;
}

/* is_space: blank around list entries. */
static bool
is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* trim: [*start, *end) without surrounding blanks. */
static void
trim(const char **start, const char **end)
{
	while (*start < *end && is_space(**start))
		(*start)++;
	while (*end > *start && is_space((*end)[-1]))
		(*end)--;
}

bool
ag_proxies_parse(const char *text, const char **bad)
{
	const char *p = text;

	n_proxies = 0;
	*bad = NULL;
	if (text == NULL)
		return true;
	while (*p != '\0')
	{
		const char *start = p;
		const char *end = strchr(p, ',');

		if (end == NULL)
			end = p + strlen(p);
		p = *end == ',' ? end + 1 : end;
		trim(&start, &end);
		if (start == end)
			continue;
		if (n_proxies == AG_MAX_PROXIES || !ag_addr_parse(start, (size_t) (end - start), &proxies[n_proxies]))
		{
			*bad = start;
			n_proxies = 0;
			return false;
		}
		n_proxies++;
	}
	return true;
}

bool
ag_proxy_trusted(const AgAddr *addr)
{
	for (int i = 0; i < n_proxies; i++)
	{
		if (memcmp(&proxies[i], addr, sizeof(*addr)) == 0)
			return true;
	}
	return false;
}

void
ag_client_resolve(const AgAddr *peer, const char *xff, AgAddr *client)
{
	const char *end;

	*client = *peer;
	if (xff == NULL || !ag_proxy_trusted(peer))
		return;
	/* walk from the right: each trusted hop vouches for the entry before it */
	end = xff + strlen(xff);
	while (end > xff)
	{
		const char *start = end;
		const char *stop = end;
		AgAddr		hop;

		while (start > xff && start[-1] != ',')
			start--;
		end = start > xff ? start - 1 : xff;
		trim(&start, &stop);
		if (start == stop || !ag_addr_parse(start, (size_t) (stop - start), &hop))
			return; /* garbage: keep the last address we could vouch for */
		*client = hop;
		if (!ag_proxy_trusted(&hop))
			return;
	}
}
