/*-------------------------------------------------------------------------
 * client.h
 *	  Who the client is: the peer's address as text, the trusted reverse
 *	  proxies (AGINGOS_TRUSTED_PROXIES) and the X-Forwarded-For rule
 *	  (docs/security.md "Machine and operations").
 *-------------------------------------------------------------------------
 */
#ifndef AG_HTTP_CLIENT_H
#define AG_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define AG_ADDR_TEXT 46 /* INET6_ADDRSTRLEN */
#define AG_MAX_PROXIES 16

/* AgAddr: an IPv4 or IPv6 address, comparable with memcmp. */
typedef struct AgAddr
{
	unsigned char family; /* AF_INET, AF_INET6 or 0 (unknown) */
	unsigned char bytes[16];
} AgAddr;

/*
 * ag_addr_from_sockaddr: the address of a struct sockaddr (IPv4, IPv6;
 * an IPv4-mapped IPv6 address becomes IPv4).  Unknown families give
 * family 0.
 */
void ag_addr_from_sockaddr(const struct sockaddr *sa, AgAddr *out);

/* ag_addr_parse: a numeric IPv4/IPv6 address (no names); false if not one. */
bool ag_addr_parse(const char *text, size_t len, AgAddr *out);

/* ag_addr_text: the address as text in dst (at least AG_ADDR_TEXT bytes). */
const char *ag_addr_text(const AgAddr *addr, char *dst, size_t dstlen);

/*
 * ag_proxies_parse: AGINGOS_TRUSTED_PROXIES, a comma-separated list of up
 * to AG_MAX_PROXIES numeric addresses (spaces allowed around commas).
 * NULL or "" is the empty list.  On a bad entry returns false and points
 * *bad at it.
 */
bool ag_proxies_parse(const char *text, const char **bad);

/* ag_proxy_trusted: whether addr is one of the trusted proxies. */
bool ag_proxy_trusted(const AgAddr *addr);

/*
 * ag_client_resolve: the client's address.  When the peer is a trusted
 * proxy and xff (the X-Forwarded-For header, may be NULL) is present, the
 * rightmost entry that is not itself a trusted proxy; an entry that is not
 * a numeric address, or an empty header, leaves the peer.  Otherwise the
 * peer.  Never fails; xff may be any bytes (fuzzed).
 */
void ag_client_resolve(const AgAddr *peer, const char *xff, AgAddr *client);

#endif /* AG_HTTP_CLIENT_H */
