/*
 * net.h - libcurl, loaded on first use.
 *
 * Linking libcurl pulls some thirty shared libraries into every start
 * (TLS, LDAP, SSH, Kerberos, IDN, each with its constructors): about 4 ms
 * on a quiet machine, far more under load, paid by `--version', by an
 * empty input and by every run that never talks to a server.  So no tool
 * links it.  net_init() loads it once, resolves the functions the clients
 * use and runs curl_global_init(); kube.c and aws.c include this header
 * instead of <curl/curl.h>, and their curl_* calls go through the table
 * below.  The types and constants are curl.h's own.
 *
 * Ownership and invariants: the library stays loaded until exit; the table
 * is filled completely or not at all.  net_init() is idempotent and, like
 * the tools, single-threaded.  It fails only when libcurl cannot be loaded
 * or lacks a function: d is filled (status 1) and -1 returned.  Calling a
 * curl_* function before a successful net_init() is a bug.
 */
#ifndef NINEC_NET_H
#define NINEC_NET_H

#include <curl/curl.h>

#include "diag.h"

/* The soname of the libcurl the tools are built against (libcurl4). */
#define NET_LIBCURL "libcurl.so.4"

struct net_curl {
	CURLcode (*global_init)(long);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURLcode (*easy_perform)(CURL *);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	void (*free)(void *);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int,
	    int, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURLMcode (*multi_cleanup)(CURLM *);
	CURLU *(*url)(void);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
	CURLUcode (*url_get)(const CURLU *, CURLUPart, char **, unsigned int);
	void (*url_cleanup)(CURLU *);
};

extern struct net_curl net_curl;

/* Loads libcurl and runs curl_global_init() once; 0, or -1 with d. */
int net_init(struct diag *d);
/* Whether net_init() has succeeded (tests: nothing loaded it). */
int net_loaded(void);

#ifndef NET_NO_MACROS
/* curl.h's type-checking wrappers are macros around the real names. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt
#define curl_global_init(f) (net_curl.global_init(f))
#define curl_global_cleanup() (net_curl.global_cleanup())
#define curl_easy_init() (net_curl.easy_init())
#define curl_easy_setopt(...) (net_curl.easy_setopt(__VA_ARGS__))
#define curl_easy_getinfo(...) (net_curl.easy_getinfo(__VA_ARGS__))
#define curl_easy_perform(h) (net_curl.easy_perform(h))
#define curl_easy_cleanup(h) (net_curl.easy_cleanup(h))
#define curl_easy_strerror(e) (net_curl.easy_strerror(e))
#define curl_slist_append(l, s) (net_curl.slist_append((l), (s)))
#define curl_slist_free_all(l) (net_curl.slist_free_all(l))
#define curl_free(p) (net_curl.free(p))
#define curl_multi_init() (net_curl.multi_init())
#define curl_multi_setopt(...) (net_curl.multi_setopt(__VA_ARGS__))
#define curl_multi_add_handle(m, h) (net_curl.multi_add_handle((m), (h)))
#define curl_multi_remove_handle(m, h) \
	(net_curl.multi_remove_handle((m), (h)))
#define curl_multi_perform(m, n) (net_curl.multi_perform((m), (n)))
#define curl_multi_poll(m, f, nf, t, n) \
	(net_curl.multi_poll((m), (f), (nf), (t), (n)))
#define curl_multi_info_read(m, n) (net_curl.multi_info_read((m), (n)))
#define curl_multi_cleanup(m) (net_curl.multi_cleanup(m))
#define curl_url() (net_curl.url())
#define curl_url_set(u, p, s, f) (net_curl.url_set((u), (p), (s), (f)))
#define curl_url_get(u, p, s, f) (net_curl.url_get((u), (p), (s), (f)))
#define curl_url_cleanup(u) (net_curl.url_cleanup(u))
#endif

#endif
