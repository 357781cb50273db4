/* hostile.c: the C API under hostile use. Every pointer argument NULL, invalid UTF-8 in every string,
 * freeing NULL, out-of-range enum values, header injection, bad bucket names (refused without a
 * request), failing credential callbacks, unreachable and silent endpoints (a clear error within the
 * configured timeout), and, when OSS_ENDPOINT names a live endpoint, one client used by 8 threads at
 * once. Exits 0 when every check holds; prints each failed check. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static int failures = 0;
static int checks = 0;

#define EXPECT(cond)                                                          \
    do {                                                                      \
        checks++;                                                             \
        if (!(cond)) {                                                        \
            failures++;                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                     \
    } while (0)

/* Out-parameters are written only on success: each starts as this sentinel and must still hold it. */
static char sentinel_storage;
#define SENTINEL ((void *)&sentinel_storage)

static const char BAD_UTF8[] = "\xff\xfe\xfd";

static int str_is(oss_sse_str s, const char *expected)
{
    return s.data != NULL && s.len == strlen(expected) && memcmp(s.data, expected, s.len) == 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A client for `endpoint` with static credentials, no retries and the given timeouts. */
static oss_sse_client *client_for(const char *endpoint, uint64_t connect_ms, uint64_t request_ms)
{
    oss_sse_config *config = NULL;
    oss_sse_credentials_provider *provider = NULL;
    oss_sse_client *client = NULL;
    EXPECT(oss_sse_config_new(&config) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_config_set_connect_timeout_ms(config, connect_ms) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_config_set_request_timeout_ms(config, request_ms) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_config_set_max_retries(config, 0) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_credentials_provider_new_static("id", "secret", NULL, &provider) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_client_new(endpoint, config, provider, &client, NULL) == OSS_SSE_RESULT_OK);
    oss_sse_credentials_provider_free(provider);
    oss_sse_config_free(config);
    return client;
}

static void test_free_null(void)
{
    oss_sse_config_free(NULL);
    oss_sse_credentials_provider_free(NULL);
    oss_sse_client_free(NULL);
    oss_sse_error_free(NULL);
    oss_sse_headers_free(NULL);
    oss_sse_set_bucket_encryption_request_free(NULL);
    oss_sse_bucket_encryption_free(NULL);
    oss_sse_bucket_info_free(NULL);
    oss_sse_object_free(NULL);
    EXPECT(1); /* reaching here is the test */
}

static void test_null_getters(void)
{
    EXPECT(oss_sse_error_result(NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(str_is(oss_sse_error_code(NULL), ""));
    EXPECT(str_is(oss_sse_error_message(NULL), ""));
    EXPECT(str_is(oss_sse_error_request_id(NULL), ""));
    EXPECT(str_is(oss_sse_error_host(NULL), ""));
    EXPECT(str_is(oss_sse_error_ec(NULL), ""));
    EXPECT(oss_sse_error_http_status(NULL) == 0);
    EXPECT(oss_sse_headers_count(NULL) == 0);
    EXPECT(oss_sse_bucket_encryption_algorithm(NULL) == OSS_SSE_ALGORITHM_NOT_SET);
    EXPECT(str_is(oss_sse_bucket_encryption_kms_master_key_id(NULL), ""));
    EXPECT(str_is(oss_sse_bucket_encryption_kms_data_encryption(NULL), ""));
    EXPECT(str_is(oss_sse_bucket_info_name(NULL), ""));
    EXPECT(str_is(oss_sse_bucket_info_location(NULL), ""));
    EXPECT(str_is(oss_sse_bucket_info_creation_date(NULL), ""));
    EXPECT(str_is(oss_sse_bucket_info_storage_class(NULL), ""));
    EXPECT(oss_sse_bucket_info_sse_algorithm(NULL) == OSS_SSE_ALGORITHM_NOT_SET);
    EXPECT(str_is(oss_sse_bucket_info_kms_master_key_id(NULL), ""));
    EXPECT(str_is(oss_sse_bucket_info_request_id(NULL), ""));
    EXPECT(oss_sse_object_data(NULL).len == 0 && oss_sse_object_data(NULL).data != NULL);
    EXPECT(oss_sse_object_headers(NULL) == NULL);
    EXPECT(str_is(oss_sse_result_name(0), "OK"));
    EXPECT(str_is(oss_sse_result_name(100), "SERVICE_ERROR"));
    EXPECT(str_is(oss_sse_result_name(106), "IO_ERROR"));
    EXPECT(str_is(oss_sse_result_name(424242), "UNKNOWN"));
    EXPECT(oss_sse_version().len > 0 && oss_sse_version().data[oss_sse_version().len] == '\0');
}

/* Stream callbacks that must not run: every call that uses them fails its checks first. */
static int never_called = 0;
static uint32_t never_read(void *userdata, uint8_t *buf, size_t len, size_t *written)
{
    (void)userdata;
    (void)buf;
    (void)len;
    (void)written;
    never_called++;
    return 1;
}

static uint32_t never_write(void *userdata, const uint8_t *buf, size_t len)
{
    (void)userdata;
    (void)buf;
    (void)len;
    never_called++;
    return 1;
}

static void test_null_arguments(oss_sse_client *client)
{
    oss_sse_config *config = SENTINEL;
    oss_sse_credentials_provider *provider = SENTINEL;
    oss_sse_client *new_client = SENTINEL;
    oss_sse_headers *headers = SENTINEL;
    oss_sse_set_bucket_encryption_request *req = SENTINEL;
    oss_sse_bucket_encryption *rule = SENTINEL;
    oss_sse_bucket_info *info = SENTINEL;
    oss_sse_object *object = SENTINEL;
    oss_sse_error *err = NULL;
    oss_sse_str view = {NULL, 12345};
    oss_sse_config *cfg = NULL;
    oss_sse_credentials_provider *prov = NULL;
    oss_sse_headers *h = NULL;
    oss_sse_set_bucket_encryption_request *r = NULL;
    const uint8_t byte = 'x';

    /* Constructors with a NULL out-pointer or NULL inputs. */
    EXPECT(oss_sse_config_new(NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_headers_new(NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_credentials_provider_new_environment(NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_credentials_provider_new_static(NULL, "s", NULL, &provider) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_credentials_provider_new_static("i", NULL, NULL, &provider) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_credentials_provider_new_static("i", "s", NULL, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_credentials_provider_new_callback(NULL, NULL, NULL, &provider) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(provider == SENTINEL);
    EXPECT(oss_sse_credentials_sink_set(NULL, "i", "s", NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_credentials_sink_fail(NULL, "why") == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_set_bucket_encryption_request_new(NULL, &req) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_set_bucket_encryption_request_new("b", NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(req == SENTINEL && config == SENTINEL && headers == SENTINEL);

    /* Setters on a NULL handle. */
    EXPECT(oss_sse_config_set_user_agent(NULL, "ua") == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_config_set_scheme(NULL, OSS_SSE_SCHEME_HTTPS) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_config_set_max_connections(NULL, 4) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_config_set_request_timeout_ms(NULL, 1) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_config_set_connect_timeout_ms(NULL, 1) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_config_set_max_retries(NULL, 1) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_config_set_proxy(NULL, 0, "h", 1, NULL, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_config_set_verify_ssl(NULL, true) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_config_set_ca_file(NULL, "f") == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_config_set_cname(NULL, true) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_config_set_crc64(NULL, true) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_config_set_date_skew_adjustment(NULL, true) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_config_set_path_style(NULL, true) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_config_set_signature_version(NULL, OSS_SSE_SIGNATURE_VERSION_V4) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_config_set_region(NULL, "cn-hangzhou") == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_set_bucket_encryption_request_set_algorithm(NULL, OSS_SSE_ALGORITHM_KMS) ==
           OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_set_bucket_encryption_request_set_kms_master_key_id(NULL, "k") == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_set_bucket_encryption_request_set_kms_data_encryption(NULL, "SM4") ==
           OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_headers_set(NULL, "a", "b") == OSS_SSE_RESULT_NULL_PARAMETER);

    /* NULL strings where a string is required (NULL means "absent" only where documented). */
    EXPECT(oss_sse_config_new(&cfg) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_config_set_user_agent(cfg, NULL) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_config_set_region(cfg, NULL) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_headers_new(&h) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_headers_set(h, NULL, "v") == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_headers_set(h, "n", NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_headers_get(h, NULL, &view) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_headers_get(NULL, "n", &view) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_headers_get(h, "n", NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_headers_at(h, 0, NULL, &view) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_headers_at(h, 0, &view, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_headers_at(NULL, 0, &view, &view) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_headers_get(h, "absent", &view) == OSS_SSE_RESULT_NOT_FOUND);
    EXPECT(oss_sse_headers_at(h, 7, &view, &view) == OSS_SSE_RESULT_NOT_FOUND);
    EXPECT(view.data == NULL && view.len == 12345);

    /* The client constructor, each pointer in turn. */
    EXPECT(oss_sse_credentials_provider_new_static("i", "s", NULL, &prov) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_client_new(NULL, cfg, prov, &new_client, &err) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(err != NULL && str_is(oss_sse_error_code(err), "NullParameter"));
    EXPECT(oss_sse_error_result(err) == OSS_SSE_RESULT_NULL_PARAMETER);
    oss_sse_error_free(err);
    err = NULL;
    EXPECT(oss_sse_client_new("http://127.0.0.1:1", NULL, prov, &new_client, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_new("http://127.0.0.1:1", cfg, NULL, &new_client, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_new("http://127.0.0.1:1", cfg, prov, NULL, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(new_client == SENTINEL);

    /* Every client call, each pointer in turn (with err_out NULL, which is allowed). */
    EXPECT(oss_sse_set_bucket_encryption_request_new("examplebucket", &r) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_client_create_bucket(NULL, "examplebucket", NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_create_bucket(client, NULL, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_delete_bucket(NULL, "examplebucket", NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_delete_bucket(client, NULL, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_get_bucket_info(NULL, "examplebucket", &info, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_get_bucket_info(client, NULL, &info, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_get_bucket_info(client, "examplebucket", NULL, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_set_bucket_encryption(NULL, r, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_set_bucket_encryption(client, NULL, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_get_bucket_encryption(NULL, "examplebucket", &rule, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_get_bucket_encryption(client, NULL, &rule, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_get_bucket_encryption(client, "examplebucket", NULL, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_delete_bucket_encryption(NULL, "examplebucket", NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_delete_bucket_encryption(client, NULL, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_put_object(NULL, "examplebucket", "k", &byte, 1, NULL, NULL, NULL) ==
           OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_put_object(client, NULL, "k", &byte, 1, NULL, NULL, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_put_object(client, "examplebucket", NULL, &byte, 1, NULL, NULL, NULL) ==
           OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_put_object(client, "examplebucket", "k", NULL, 1, NULL, NULL, NULL) ==
           OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_get_object(NULL, "examplebucket", "k", &object, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_get_object(client, NULL, "k", &object, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_get_object(client, "examplebucket", NULL, &object, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_get_object(client, "examplebucket", "k", NULL, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_head_object(NULL, "examplebucket", "k", &headers, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_head_object(client, NULL, "k", &headers, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_head_object(client, "examplebucket", NULL, &headers, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_head_object(client, "examplebucket", "k", NULL, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_delete_object(NULL, "examplebucket", "k", NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_delete_object(client, NULL, "k", NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_delete_object(client, "examplebucket", NULL, NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_put_object_stream(NULL, "examplebucket", "k", 1, never_read, NULL, NULL, NULL, NULL) ==
           OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_put_object_stream(client, NULL, "k", 1, never_read, NULL, NULL, NULL, NULL) ==
           OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_put_object_stream(client, "examplebucket", NULL, 1, never_read, NULL, NULL, NULL, NULL) ==
           OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_put_object_stream(client, "examplebucket", "k", 1, NULL, NULL, NULL, NULL, NULL) ==
           OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_get_object_stream(NULL, "examplebucket", "k", never_write, NULL, &headers, NULL) ==
           OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_get_object_stream(client, NULL, "k", never_write, NULL, &headers, NULL) ==
           OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_get_object_stream(client, "examplebucket", NULL, never_write, NULL, &headers, NULL) ==
           OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_client_get_object_stream(client, "examplebucket", "k", NULL, NULL, &headers, NULL) ==
           OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(oss_sse_validate_bucket_name(NULL) == OSS_SSE_RESULT_NULL_PARAMETER);
    EXPECT(never_called == 0);
    EXPECT(info == SENTINEL && rule == SENTINEL && object == SENTINEL && headers == SENTINEL);

    oss_sse_set_bucket_encryption_request_free(r);
    oss_sse_credentials_provider_free(prov);
    oss_sse_headers_free(h);
    oss_sse_config_free(cfg);
}

static void test_invalid_utf8(oss_sse_client *client)
{
    oss_sse_config *cfg = NULL;
    oss_sse_credentials_provider *prov = SENTINEL;
    oss_sse_headers *h = NULL;
    oss_sse_set_bucket_encryption_request *r = SENTINEL;
    oss_sse_client *c = SENTINEL;
    oss_sse_error *err = NULL;
    oss_sse_str view;
    oss_sse_bucket_encryption *rule = SENTINEL;
    const uint8_t byte = 'x';

    EXPECT(oss_sse_config_new(&cfg) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_config_set_user_agent(cfg, BAD_UTF8) == OSS_SSE_RESULT_INVALID_UTF8);
    EXPECT(oss_sse_config_set_region(cfg, BAD_UTF8) == OSS_SSE_RESULT_INVALID_UTF8);
    EXPECT(oss_sse_config_set_ca_file(cfg, BAD_UTF8) == OSS_SSE_RESULT_INVALID_UTF8);
    EXPECT(oss_sse_config_set_proxy(cfg, 0, BAD_UTF8, 8080, NULL, NULL) == OSS_SSE_RESULT_INVALID_UTF8);
    EXPECT(oss_sse_credentials_provider_new_static(BAD_UTF8, "s", NULL, &prov) == OSS_SSE_RESULT_INVALID_UTF8);
    EXPECT(oss_sse_credentials_provider_new_static("i", BAD_UTF8, NULL, &prov) == OSS_SSE_RESULT_INVALID_UTF8);
    EXPECT(oss_sse_credentials_provider_new_static("i", "s", BAD_UTF8, &prov) == OSS_SSE_RESULT_INVALID_UTF8);
    EXPECT(prov == SENTINEL);
    EXPECT(oss_sse_set_bucket_encryption_request_new(BAD_UTF8, &r) == OSS_SSE_RESULT_INVALID_UTF8);
    EXPECT(r == SENTINEL);
    EXPECT(oss_sse_headers_new(&h) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_headers_set(h, BAD_UTF8, "v") == OSS_SSE_RESULT_INVALID_UTF8);
    EXPECT(oss_sse_headers_set(h, "x-oss-meta-a", BAD_UTF8) == OSS_SSE_RESULT_INVALID_UTF8);
    EXPECT(oss_sse_headers_get(h, BAD_UTF8, &view) == OSS_SSE_RESULT_INVALID_UTF8);
    EXPECT(oss_sse_headers_count(h) == 0);

    prov = NULL;
    EXPECT(oss_sse_credentials_provider_new_static("i", "s", NULL, &prov) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_client_new(BAD_UTF8, cfg, prov, &c, &err) == OSS_SSE_RESULT_INVALID_UTF8);
    EXPECT(c == SENTINEL && str_is(oss_sse_error_code(err), "InvalidUtf8"));
    EXPECT(oss_sse_error_message(err).len > 0);
    oss_sse_error_free(err);
    err = NULL;

    EXPECT(oss_sse_client_create_bucket(client, BAD_UTF8, &err) == OSS_SSE_RESULT_INVALID_UTF8);
    EXPECT(str_is(oss_sse_error_code(err), "InvalidUtf8"));
    oss_sse_error_free(err);
    EXPECT(oss_sse_client_get_bucket_encryption(client, BAD_UTF8, &rule, NULL) == OSS_SSE_RESULT_INVALID_UTF8);
    EXPECT(oss_sse_client_put_object(client, "examplebucket", BAD_UTF8, &byte, 1, NULL, NULL, NULL) ==
           OSS_SSE_RESULT_INVALID_UTF8);
    EXPECT(oss_sse_client_delete_object(client, "examplebucket", BAD_UTF8, NULL) == OSS_SSE_RESULT_INVALID_UTF8);
    EXPECT(oss_sse_validate_bucket_name(BAD_UTF8) == OSS_SSE_RESULT_INVALID_UTF8);
    EXPECT(rule == SENTINEL);

    oss_sse_credentials_provider_free(prov);
    oss_sse_headers_free(h);
    oss_sse_config_free(cfg);
}

static void test_bad_values(oss_sse_client *client)
{
    oss_sse_config *cfg = NULL;
    oss_sse_headers *h = NULL;
    oss_sse_set_bucket_encryption_request *r = NULL;
    oss_sse_error *err = NULL;
    oss_sse_client *c = SENTINEL;
    oss_sse_credentials_provider *prov = NULL;
    const uint8_t byte = 'x';
    double start;
    char long_key[1100];

    EXPECT(oss_sse_config_new(&cfg) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_config_set_scheme(cfg, 99) == OSS_SSE_RESULT_INVALID_ARGUMENT);
    EXPECT(oss_sse_config_set_signature_version(cfg, 2) == OSS_SSE_RESULT_INVALID_ARGUMENT);
    EXPECT(oss_sse_config_set_max_connections(cfg, 0) == OSS_SSE_RESULT_INVALID_ARGUMENT);
    EXPECT(oss_sse_config_set_request_timeout_ms(cfg, 0) == OSS_SSE_RESULT_INVALID_ARGUMENT);
    EXPECT(oss_sse_config_set_user_agent(cfg, "evil\r\nX-Injected: 1") == OSS_SSE_RESULT_INVALID_ARGUMENT);
    EXPECT(oss_sse_config_set_proxy(cfg, 0, "proxy.local", 0, NULL, NULL) == OSS_SSE_RESULT_INVALID_ARGUMENT);

    /* V4 without a region for an IP endpoint: a configuration error, reported by the constructor. */
    EXPECT(oss_sse_config_set_signature_version(cfg, OSS_SSE_SIGNATURE_VERSION_V4) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_credentials_provider_new_static("i", "s", NULL, &prov) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_client_new("http://127.0.0.1:1", cfg, prov, &c, &err) == OSS_SSE_RESULT_CONFIG_ERROR);
    EXPECT(c == SENTINEL && oss_sse_error_message(err).len > 0);
    oss_sse_error_free(err);
    err = NULL;
    EXPECT(oss_sse_client_new("not a url at all", cfg, prov, &c, &err) == OSS_SSE_RESULT_CONFIG_ERROR);
    oss_sse_error_free(err);
    err = NULL;
    EXPECT(oss_sse_client_new("", cfg, prov, &c, NULL) == OSS_SSE_RESULT_INVALID_ARGUMENT);
    EXPECT(c == SENTINEL);

    EXPECT(oss_sse_headers_new(&h) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_headers_set(h, "x-oss-meta-a", "b\r\nx-injected: 1") == OSS_SSE_RESULT_INVALID_ARGUMENT);
    EXPECT(oss_sse_headers_set(h, "bad name", "v") == OSS_SSE_RESULT_INVALID_ARGUMENT);
    EXPECT(oss_sse_headers_set(h, "", "v") == OSS_SSE_RESULT_INVALID_ARGUMENT);
    EXPECT(oss_sse_headers_count(h) == 0);

    EXPECT(oss_sse_set_bucket_encryption_request_new("examplebucket", &r) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_set_bucket_encryption_request_set_algorithm(r, 77) == OSS_SSE_RESULT_INVALID_ARGUMENT);
    EXPECT(oss_sse_set_bucket_encryption_request_set_algorithm(r, OSS_SSE_ALGORITHM_NOT_SET) ==
           OSS_SSE_RESULT_INVALID_ARGUMENT);
    /* A KMS key with AES256 is refused before sending, as OSS would refuse it. */
    EXPECT(oss_sse_set_bucket_encryption_request_set_kms_master_key_id(r, "key-1") == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_client_set_bucket_encryption(client, r, NULL) == OSS_SSE_RESULT_INVALID_ARGUMENT);

    /* Bad bucket names and keys: refused at once, with the C++ SDK's code, without a request (the
     * client points at a closed port, so a request would be a transport error). */
    start = now_seconds();
    EXPECT(oss_sse_client_create_bucket(client, "Bad_Bucket", &err) == OSS_SSE_RESULT_INVALID_BUCKET_NAME);
    EXPECT(str_is(oss_sse_error_code(err), "ValidateError") && oss_sse_error_http_status(err) == 0);
    oss_sse_error_free(err);
    err = NULL;
    EXPECT(oss_sse_validate_bucket_name("ab") == OSS_SSE_RESULT_INVALID_BUCKET_NAME);
    EXPECT(oss_sse_validate_bucket_name("-abc") == OSS_SSE_RESULT_INVALID_BUCKET_NAME);
    EXPECT(oss_sse_validate_bucket_name("examplebucket") == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_set_bucket_encryption_request_set_kms_master_key_id(r, NULL) == OSS_SSE_RESULT_OK);
    oss_sse_set_bucket_encryption_request_free(r);
    r = NULL;
    EXPECT(oss_sse_set_bucket_encryption_request_new("UPPER", &r) == OSS_SSE_RESULT_OK);
    EXPECT(oss_sse_client_set_bucket_encryption(client, r, &err) == OSS_SSE_RESULT_INVALID_BUCKET_NAME);
    EXPECT(str_is(oss_sse_error_code(err), "ValidateError"));
    oss_sse_error_free(err);
    err = NULL;
    EXPECT(oss_sse_client_put_object(client, "examplebucket", "", &byte, 1, NULL, NULL, NULL) ==
           OSS_SSE_RESULT_INVALID_OBJECT_KEY);
    memset(long_key, 'k', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = '\0';
    EXPECT(oss_sse_client_head_object(client, "examplebucket", long_key, &h, NULL) == OSS_SSE_RESULT_INVALID_OBJECT_KEY);
    EXPECT(now_seconds() - start < 1.0);

    oss_sse_set_bucket_encryption_request_free(r);
    oss_sse_credentials_provider_free(prov);
    oss_sse_headers_free(h);
    oss_sse_config_free(cfg);
}

/* Credential callbacks that fail in each way a callback can. */
static uint32_t refuse(void *userdata, oss_sse_credentials_sink *sink)
{
    (void)userdata;
    (void)sink;
    return 42;
}

static uint32_t forget(void *userdata, oss_sse_credentials_sink *sink)
{
    (void)userdata;
    (void)sink;
    return 0;
}

static int freed_count = 0;
static void count_free(void *userdata)
{
    (void)userdata;
    freed_count++;
}

static void test_credentials_failures(void)
{
    uint32_t (*callbacks[2])(void *, oss_sse_credentials_sink *) = {refuse, forget};
    int i;
    for (i = 0; i < 2; i++) {
        oss_sse_config *cfg = NULL;
        oss_sse_credentials_provider *prov = NULL;
        oss_sse_client *c = NULL;
        oss_sse_error *err = NULL;
        EXPECT(oss_sse_config_new(&cfg) == OSS_SSE_RESULT_OK);
        EXPECT(oss_sse_credentials_provider_new_callback(callbacks[i], NULL, count_free, &prov) == OSS_SSE_RESULT_OK);
        EXPECT(oss_sse_client_new("http://127.0.0.1:1", cfg, prov, &c, NULL) == OSS_SSE_RESULT_OK);
        oss_sse_credentials_provider_free(prov);
        EXPECT(freed_count == i); /* the client still holds the provider */
        EXPECT(oss_sse_client_create_bucket(c, "examplebucket", &err) == OSS_SSE_RESULT_CREDENTIALS_ERROR);
        EXPECT(str_is(oss_sse_error_code(err), "CredentialsError") && oss_sse_error_message(err).len > 0);
        oss_sse_error_free(err);
        oss_sse_client_free(c);
        EXPECT(freed_count == i + 1);
        oss_sse_config_free(cfg);
    }
}

/* Unreachable and silent endpoints: a clear error, within the configured timeout. */
static void test_unreachable(void)
{
    oss_sse_client *c;
    oss_sse_bucket_info *info = SENTINEL;
    oss_sse_error *err = NULL;
    oss_sse_result r;
    double start, elapsed;
    int listener;
    struct sockaddr_in addr;
    socklen_t addr_len = sizeof addr;
    char endpoint[64];

    /* Nothing listens on port 1: refused at once. */
    c = client_for("http://127.0.0.1:1", 1000, 1000);
    start = now_seconds();
    r = oss_sse_client_create_bucket(c, "examplebucket", &err);
    elapsed = now_seconds() - start;
    EXPECT(r == OSS_SSE_RESULT_TRANSPORT_ERROR || r == OSS_SSE_RESULT_TIMEOUT);
    EXPECT(oss_sse_error_message(err).len > 0 && oss_sse_error_http_status(err) == 0);
    EXPECT(elapsed < 1.0 + 2.0);
    printf("closed port: %s after %.2fs: %.*s\n", oss_sse_result_name(r).data, elapsed,
           (int)oss_sse_error_message(err).len, oss_sse_error_message(err).data);
    oss_sse_error_free(err);
    err = NULL;
    oss_sse_client_free(c);

    /* An address that does not answer (TEST-NET-1): the connect timeout (300 ms) ends it. */
    c = client_for("http://192.0.2.1:80", 300, 1000);
    start = now_seconds();
    r = oss_sse_client_get_bucket_info(c, "examplebucket", &info, &err);
    elapsed = now_seconds() - start;
    EXPECT(r == OSS_SSE_RESULT_TIMEOUT || r == OSS_SSE_RESULT_TRANSPORT_ERROR);
    EXPECT(oss_sse_error_message(err).len > 0);
    EXPECT(elapsed < 0.3 + 2.0 && info == SENTINEL);
    printf("blackhole: %s after %.2fs: %.*s\n", oss_sse_result_name(r).data, elapsed,
           (int)oss_sse_error_message(err).len, oss_sse_error_message(err).data);
    oss_sse_error_free(err);
    err = NULL;
    oss_sse_client_free(c);

    /* A server that accepts the connection and never answers: the request timeout (500 ms) ends it. */
    listener = socket(AF_INET, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT(listener >= 0);
    EXPECT(bind(listener, (struct sockaddr *)&addr, sizeof addr) == 0);
    EXPECT(listen(listener, 4) == 0);
    EXPECT(getsockname(listener, (struct sockaddr *)&addr, &addr_len) == 0);
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%u", (unsigned)ntohs(addr.sin_port));
    c = client_for(endpoint, 1000, 500);
    start = now_seconds();
    r = oss_sse_client_delete_bucket(c, "examplebucket", &err);
    elapsed = now_seconds() - start;
    EXPECT(r == OSS_SSE_RESULT_TIMEOUT);
    EXPECT(elapsed >= 0.4 && elapsed < 0.5 + 2.0);
    printf("silent server: %s after %.2fs: %.*s\n", oss_sse_result_name(r).data, elapsed,
           (int)oss_sse_error_message(err).len, oss_sse_error_message(err).data);
    oss_sse_error_free(err);
    oss_sse_client_free(c);
    close(listener);
}

/* Eight threads sharing one client, each with its own objects, every byte compared. */
#define THREADS 8
#define ROUNDS 5

struct worker {
    oss_sse_client *client;
    const char *bucket;
    int index;
    int ok;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    int round;
    w->ok = 1;
    for (round = 0; round < ROUNDS && w->ok; round++) {
        char key[64], body[128];
        oss_sse_headers *h = NULL, *head = NULL;
        oss_sse_object *o = NULL;
        oss_sse_bytes data;
        oss_sse_str sse;
        int len = snprintf(body, sizeof body, "thread %d round %d: shared client, own object", w->index, round);
        snprintf(key, sizeof key, "threads/%d/%d", w->index, round);
        if (oss_sse_headers_new(&h) != OSS_SSE_RESULT_OK ||
            oss_sse_headers_set(h, "x-oss-server-side-encryption", round % 2 ? "KMS" : "AES256") != OSS_SSE_RESULT_OK ||
            oss_sse_client_put_object(w->client, w->bucket, key, (const uint8_t *)body, (size_t)len, h, NULL, NULL) !=
                OSS_SSE_RESULT_OK ||
            oss_sse_client_get_object(w->client, w->bucket, key, &o, NULL) != OSS_SSE_RESULT_OK ||
            oss_sse_client_head_object(w->client, w->bucket, key, &head, NULL) != OSS_SSE_RESULT_OK) {
            w->ok = 0;
        } else {
            data = oss_sse_object_data(o);
            if (data.len != (size_t)len || memcmp(data.data, body, data.len) != 0 ||
                oss_sse_headers_get(head, "x-oss-server-side-encryption", &sse) != OSS_SSE_RESULT_OK ||
                !str_is(sse, round % 2 ? "KMS" : "AES256") ||
                oss_sse_client_delete_object(w->client, w->bucket, key, NULL) != OSS_SSE_RESULT_OK) {
                w->ok = 0;
            }
        }
        oss_sse_object_free(o);
        oss_sse_headers_free(head);
        oss_sse_headers_free(h);
    }
    return NULL;
}

static void test_threads(const char *endpoint)
{
    struct worker workers[THREADS];
    pthread_t threads[THREADS];
    const char *bucket = "oss-sse-c-threads";
    oss_sse_client *client = make_client(endpoint, 5000, 10000, 3);
    oss_sse_error *err = NULL;
    int i;
    EXPECT(client != NULL);
    if (client == NULL) {
        return;
    }
    EXPECT(oss_sse_client_create_bucket(client, bucket, &err) == OSS_SSE_RESULT_OK);
    if (err != NULL) {
        print_error("CreateBucket", oss_sse_error_result(err), err);
        oss_sse_error_free(err);
    }
    for (i = 0; i < THREADS; i++) {
        workers[i].client = client;
        workers[i].bucket = bucket;
        workers[i].index = i;
        workers[i].ok = 0;
        EXPECT(pthread_create(&threads[i], NULL, work, &workers[i]) == 0);
    }
    for (i = 0; i < THREADS; i++) {
        EXPECT(pthread_join(threads[i], NULL) == 0);
        EXPECT(workers[i].ok);
    }
    EXPECT(oss_sse_client_delete_bucket(client, bucket, NULL) == OSS_SSE_RESULT_OK);
    oss_sse_client_free(client);
    printf("threads: %d threads x %d rounds on one client\n", THREADS, ROUNDS);
}

int main(void)
{
    const char *endpoint = endpoint_from_env();
    oss_sse_client *closed = client_for("http://127.0.0.1:1", 1000, 1000);

    test_free_null();
    test_null_getters();
    test_null_arguments(closed);
    test_invalid_utf8(closed);
    test_bad_values(closed);
    test_credentials_failures();
    test_unreachable();
    if (endpoint != NULL) {
        test_threads(endpoint);
    } else {
        printf("threads: skipped (set OSS_ENDPOINT to a live endpoint to run it)\n");
    }
    oss_sse_client_free(closed);

    printf("hostile: %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
