#ifndef CCURLSHIMS_H
#define CCURLSHIMS_H

#include <curl/curl.h>

/* Typed wrappers for libcurl's variadic calls, which Swift cannot make. Each passes its argument through
 * unchanged with the type the option documents. */

typedef size_t (*ccurl_data_callback)(char *data, size_t size, size_t count, void *userdata);

CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_easy_setopt_ptr(CURL *handle, CURLoption option, void *value);
/* For CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION. */
CURLcode ccurl_easy_setopt_data_callback(CURL *handle, CURLoption option, ccurl_data_callback callback);

CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ccurl_easy_getinfo_private(CURL *handle, void **value);

CURLMcode ccurl_multi_setopt_long(CURLM *handle, CURLMoption option, long value);

/* curl_global_init(CURL_GLOBAL_ALL): the macro is a bit-or Swift does not import. */
CURLcode ccurl_global_init_all(void);

/* Constants defined as macros with casts or in anonymous enums. */
long ccurl_http_version_2tls(void);
long ccurl_pipe_multiplex(void);

#endif
