/* lazy_curl.h: libcurl, loaded on first use (util/lazylib.h, docs/startup.md). Include this
 * instead of <curl/curl.h>.
 * curl_easy_setopt and curl_easy_getinfo keep curl's gcc type-check macros (which end in a call
 * of the function itself): lazy_curl.c defines two small functions of those names that forward
 * to the table, so they are in the table but not #defined below. */
#pragma once
#include <curl/curl.h>
#include "util/lazylib.h"

/* Every libcurl function berth calls; a new one goes here and in the #defines below. */
#define LAZY_CURL_FUNCS(X) \
	X(curl_easy_cleanup) X(curl_easy_escape) X(curl_easy_getinfo) X(curl_easy_init) X(curl_easy_perform) \
	X(curl_easy_reset) X(curl_easy_setopt) X(curl_easy_strerror) X(curl_free) X(curl_global_init) \
	X(curl_multi_add_handle) X(curl_multi_cleanup) X(curl_multi_info_read) X(curl_multi_init) \
	X(curl_multi_perform) X(curl_multi_poll) X(curl_multi_remove_handle) X(curl_slist_append) \
	X(curl_slist_free_all) \
	X(curl_url) X(curl_url_cleanup) X(curl_url_get) X(curl_url_set) \

LAZYLIB_DECLARE(curl, LAZY_CURL_FUNCS)

#define curl_easy_cleanup LAZYLIB_FN(curl, curl_easy_cleanup)
#define curl_easy_escape LAZYLIB_FN(curl, curl_easy_escape)
#define curl_easy_init LAZYLIB_FN(curl, curl_easy_init)
#define curl_easy_perform LAZYLIB_FN(curl, curl_easy_perform)
#define curl_easy_reset LAZYLIB_FN(curl, curl_easy_reset)
#define curl_easy_strerror LAZYLIB_FN(curl, curl_easy_strerror)
#define curl_free LAZYLIB_FN(curl, curl_free)
#define curl_global_init LAZYLIB_FN(curl, curl_global_init)
#define curl_multi_add_handle LAZYLIB_FN(curl, curl_multi_add_handle)
#define curl_multi_cleanup LAZYLIB_FN(curl, curl_multi_cleanup)
#define curl_multi_info_read LAZYLIB_FN(curl, curl_multi_info_read)
#define curl_multi_init LAZYLIB_FN(curl, curl_multi_init)
#define curl_multi_perform LAZYLIB_FN(curl, curl_multi_perform)
#define curl_multi_poll LAZYLIB_FN(curl, curl_multi_poll)
#define curl_multi_remove_handle LAZYLIB_FN(curl, curl_multi_remove_handle)
#define curl_slist_append LAZYLIB_FN(curl, curl_slist_append)
#define curl_slist_free_all LAZYLIB_FN(curl, curl_slist_free_all)
#define curl_url LAZYLIB_FN(curl, curl_url)
#define curl_url_cleanup LAZYLIB_FN(curl, curl_url_cleanup)
#define curl_url_get LAZYLIB_FN(curl, curl_url_get)
#define curl_url_set LAZYLIB_FN(curl, curl_url_set)
