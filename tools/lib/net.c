#define NET_NO_MACROS
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

struct net_curl net_curl;

static void *handle;
static int loaded;

/* Each table entry and the symbol that fills it. */
#define NET_SYM(field, name) { #name, offsetof(struct net_curl, field) }
static const struct {
	const char *name;
	size_t off;
} syms[] = {
	NET_SYM(global_init, curl_global_init),
	NET_SYM(global_cleanup, curl_global_cleanup),
	NET_SYM(easy_init, curl_easy_init),
	NET_SYM(easy_setopt, curl_easy_setopt),
	NET_SYM(easy_getinfo, curl_easy_getinfo),
	NET_SYM(easy_perform, curl_easy_perform),
	NET_SYM(easy_cleanup, curl_easy_cleanup),
	NET_SYM(easy_strerror, curl_easy_strerror),
	NET_SYM(slist_append, curl_slist_append),
	NET_SYM(slist_free_all, curl_slist_free_all),
	NET_SYM(free, curl_free),
	NET_SYM(multi_init, curl_multi_init),
	NET_SYM(multi_setopt, curl_multi_setopt),
	NET_SYM(multi_add_handle, curl_multi_add_handle),
	NET_SYM(multi_remove_handle, curl_multi_remove_handle),
	NET_SYM(multi_perform, curl_multi_perform),
	NET_SYM(multi_poll, curl_multi_poll),
	NET_SYM(multi_info_read, curl_multi_info_read),
	NET_SYM(multi_cleanup, curl_multi_cleanup),
	NET_SYM(url, curl_url),
	NET_SYM(url_set, curl_url_set),
	NET_SYM(url_get, curl_url_get),
	NET_SYM(url_cleanup, curl_url_cleanup),
};

static void
net_cleanup(void)
{
	net_curl.global_cleanup();
}

int
net_init(struct diag *d)
{
	struct net_curl t;
	void *f;
	size_t i;

	if (loaded)
		return 0;
	if (handle == NULL)
		handle = dlopen(NET_LIBCURL, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL)
		return diag_set(d, 1, "cannot load %s: %s", NET_LIBCURL,
		    dlerror());
	for (i = 0; i < sizeof syms / sizeof syms[0]; i++) {
		if ((f = dlsym(handle, syms[i].name)) == NULL)
			return diag_set(d, 1, "%s has no %s", NET_LIBCURL,
			    syms[i].name);
		/* POSIX guarantees a data pointer holds a function's. */
		memcpy((char *)&t + syms[i].off, &f, sizeof f);
	}
	net_curl = t;
	loaded = 1;
	net_curl.global_init(CURL_GLOBAL_DEFAULT);
	atexit(net_cleanup);
	return 0;
}

int
net_loaded(void)
{
	return loaded;
}
