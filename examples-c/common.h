/* common.h: small helpers shared by the C examples: printing an oss_sse_error, printing a header list,
 * building a client from OSS_ENDPOINT and the OSS_* credential variables. */
#ifndef OSS_SSE_EXAMPLES_COMMON_H
#define OSS_SSE_EXAMPLES_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oss_sse.h>

/* Prints what failed: result code, OSS code, message, request id, host, HTTP status. */
static inline void print_error(const char *what, oss_sse_result r, const oss_sse_error *err)
{
    oss_sse_str name = oss_sse_result_name(r);
    fprintf(stderr, "%s failed: %.*s", what, (int)name.len, name.data);
    if (err != NULL) {
        oss_sse_str code = oss_sse_error_code(err);
        oss_sse_str msg = oss_sse_error_message(err);
        oss_sse_str rid = oss_sse_error_request_id(err);
        oss_sse_str host = oss_sse_error_host(err);
        fprintf(stderr, ", code:%.*s, message:%.*s, requestId:%.*s, host:%.*s, status:%u", (int)code.len,
                code.data, (int)msg.len, msg.data, (int)rid.len, rid.data, (int)host.len, host.data,
                (unsigned)oss_sse_error_http_status(err));
    }
    fputc('\n', stderr);
}

/* Prints every header of a list, one per line, indented. */
static inline void print_headers(const char *title, const oss_sse_headers *headers)
{
    size_t i;
    size_t n = oss_sse_headers_count(headers);
    printf("%s (%u headers):\n", title, (unsigned)n);
    for (i = 0; i < n; i++) {
        oss_sse_str name, value;
        if (oss_sse_headers_at(headers, i, &name, &value) == OSS_SSE_RESULT_OK) {
            printf("    %.*s: %.*s\n", (int)name.len, name.data, (int)value.len, value.data);
        }
    }
}

/* The endpoint: argv-style override, else OSS_ENDPOINT, else NULL. */
static inline const char *endpoint_from_env(void)
{
    const char *e = getenv("OSS_ENDPOINT");
    return (e != NULL && e[0] != '\0') ? e : NULL;
}

/* A client for `endpoint` with environment credentials and the given timeouts; NULL on failure
 * (already reported). */
static inline oss_sse_client *make_client(const char *endpoint, uint64_t connect_ms, uint64_t request_ms, uint32_t retries)
{
    oss_sse_config *config = NULL;
    oss_sse_credentials_provider *provider = NULL;
    oss_sse_client *client = NULL;
    oss_sse_error *err = NULL;
    oss_sse_result r;

    if ((r = oss_sse_config_new(&config)) != OSS_SSE_RESULT_OK ||
        (r = oss_sse_config_set_connect_timeout_ms(config, connect_ms)) != OSS_SSE_RESULT_OK ||
        (r = oss_sse_config_set_request_timeout_ms(config, request_ms)) != OSS_SSE_RESULT_OK ||
        (r = oss_sse_config_set_max_retries(config, retries)) != OSS_SSE_RESULT_OK ||
        (r = oss_sse_credentials_provider_new_environment(&provider)) != OSS_SSE_RESULT_OK) {
        print_error("configuration", r, NULL);
    } else if ((r = oss_sse_client_new(endpoint, config, provider, &client, &err)) != OSS_SSE_RESULT_OK) {
        print_error("oss_sse_client_new", r, err);
        oss_sse_error_free(err);
        client = NULL;
    }
    /* The client keeps what it needs: both may go now. */
    oss_sse_credentials_provider_free(provider);
    oss_sse_config_free(config);
    return client;
}

#endif
