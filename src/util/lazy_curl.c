/* lazy_curl.c: the function table of libcurl (util/lazy_curl.h); LAZY_SONAME_curl comes from the
 * build (mk/lazylibs.mk). */
#include "util/lazy_curl.h"
#include <stdarg.h>

LAZYLIB_DEFINE(curl, LAZY_CURL_FUNCS, LAZY_SONAME_curl);

/* curl_easy_setopt / curl_easy_getinfo: the type-check macros of <curl/curl.h> call these; they
 * read the one variadic argument as curl itself does (its type follows from the option's
 * number range) and pass it on. */
#undef curl_easy_setopt
#undef curl_easy_getinfo

CURLcode curl_easy_setopt(CURL *h, CURLoption o, ...)
{
	va_list ap;
	CURLcode r;
	va_start(ap, o);
	if (o < CURLOPTTYPE_OBJECTPOINT)
		r = lazy_curl_get()->curl_easy_setopt(h, o, va_arg(ap, long));
	else if (o < CURLOPTTYPE_FUNCTIONPOINT)
		r = lazy_curl_get()->curl_easy_setopt(h, o, va_arg(ap, void *));
	else if (o < CURLOPTTYPE_OFF_T)
		r = lazy_curl_get()->curl_easy_setopt(h, o, va_arg(ap, void (*)(void)));
	else if (o < CURLOPTTYPE_BLOB)
		r = lazy_curl_get()->curl_easy_setopt(h, o, va_arg(ap, curl_off_t));
	else
		r = lazy_curl_get()->curl_easy_setopt(h, o, va_arg(ap, void *));
	va_end(ap);
	return r;
}

CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	va_list ap;
	va_start(ap, info);
	void *p = va_arg(ap, void *);
	va_end(ap);
	return lazy_curl_get()->curl_easy_getinfo(h, info, p);
}
