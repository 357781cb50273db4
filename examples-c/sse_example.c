/* sse_example.c: the C API end to end against OSS or the emulator.
 *
 *   OSS_ENDPOINT=http://127.0.0.1:PORT OSS_ACCESS_KEY_ID=... OSS_ACCESS_KEY_SECRET=... ./sse_example [bucket]
 *
 * Creates a bucket, sets its default encryption to KMS, reads the rule back, deletes it and checks it is
 * gone (NoSuchServerSideEncryptionRule), then uploads an object with SSE-KMS, prints the response headers
 * of the upload, of HeadObject and of GetObject, checks the content, and cleans up. Exits 0 only if
 * every step did what it should. */
#include "common.h"

#define CHECK(what, call)                 \
    do {                                  \
        oss_sse_error *err_ = NULL;       \
        oss_sse_result r_ = (call);       \
        if (r_ != OSS_SSE_RESULT_OK) {    \
            print_error(what, r_, err_);  \
            oss_sse_error_free(err_);     \
            goto done;                    \
        }                                 \
    } while (0)

/* Like CHECK, for calls whose last argument is `&err_`. */
#define CALL(what, fn, ...) CHECK(what, fn(__VA_ARGS__, &err_))

static int header_is(const oss_sse_headers *h, const char *name, const char *expected)
{
    oss_sse_str v;
    if (oss_sse_headers_get(h, name, &v) != OSS_SSE_RESULT_OK) {
        fprintf(stderr, "missing header %s\n", name);
        return 0;
    }
    if (strlen(expected) != v.len || memcmp(v.data, expected, v.len) != 0) {
        fprintf(stderr, "header %s is %.*s, expected %s\n", name, (int)v.len, v.data, expected);
        return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    static const char body[] = "Hello from C: this text is stored encrypted under a KMS data key.\n";
    const char *endpoint = endpoint_from_env();
    const char *bucket = argc > 1 ? argv[1] : "oss-sse-c-example";
    const char *key = "c/hello-kms.txt";
    oss_sse_client *client = NULL;
    oss_sse_set_bucket_encryption_request *set = NULL;
    oss_sse_bucket_encryption *rule = NULL;
    oss_sse_headers *put_headers = NULL, *put_response = NULL, *head = NULL;
    oss_sse_object *object = NULL;
    int ok = 0;

    oss_sse_str version = oss_sse_version();
    printf("liboss_sse %.*s\n", (int)version.len, version.data);
    if (endpoint == NULL) {
        fprintf(stderr, "set OSS_ENDPOINT (for example http://127.0.0.1:9000)\n");
        return 2;
    }
    client = make_client(endpoint, 5000, 10000, 3);
    if (client == NULL) {
        return 1;
    }

    CALL("CreateBucket", oss_sse_client_create_bucket, client, bucket);

    /* Set, get, delete the bucket's default encryption. */
    CHECK("request", oss_sse_set_bucket_encryption_request_new(bucket, &set));
    CHECK("request", oss_sse_set_bucket_encryption_request_set_algorithm(set, OSS_SSE_ALGORITHM_KMS));
    CALL("SetBucketEncryption", oss_sse_client_set_bucket_encryption, client, set);
    CALL("GetBucketEncryption", oss_sse_client_get_bucket_encryption, client, bucket, &rule);
    {
        oss_sse_str id = oss_sse_bucket_encryption_kms_master_key_id(rule);
        printf("bucket %s: SSEAlgorithm=%s KMSMasterKeyID=%.*s\n", bucket,
               oss_sse_bucket_encryption_algorithm(rule) == OSS_SSE_ALGORITHM_KMS ? "KMS" : "(not KMS)", (int)id.len,
               id.data);
        if (oss_sse_bucket_encryption_algorithm(rule) != OSS_SSE_ALGORITHM_KMS) {
            goto done;
        }
    }
    CALL("DeleteBucketEncryption", oss_sse_client_delete_bucket_encryption, client, bucket);
    {
        oss_sse_bucket_encryption *gone = NULL;
        oss_sse_error *err = NULL;
        oss_sse_result r = oss_sse_client_get_bucket_encryption(client, bucket, &gone, &err);
        oss_sse_str code = oss_sse_error_code(err);
        int as_expected = r == OSS_SSE_RESULT_SERVICE_ERROR && oss_sse_error_http_status(err) == 404 &&
                          code.len == strlen("NoSuchServerSideEncryptionRule") &&
                          memcmp(code.data, "NoSuchServerSideEncryptionRule", code.len) == 0 && gone == NULL;
        printf("after delete: %.*s (HTTP %u)\n", (int)code.len, code.data, (unsigned)oss_sse_error_http_status(err));
        oss_sse_error_free(err);
        oss_sse_bucket_encryption_free(gone);
        if (!as_expected) {
            fprintf(stderr, "the rule should be gone\n");
            goto done;
        }
    }

    /* An SSE-KMS object round trip. */
    CHECK("headers", oss_sse_headers_new(&put_headers));
    CHECK("headers", oss_sse_headers_set(put_headers, "Content-Type", "text/plain"));
    CHECK("headers", oss_sse_headers_set(put_headers, "x-oss-server-side-encryption", "KMS"));
    CHECK("headers", oss_sse_headers_set(put_headers, "x-oss-meta-author", "examples-c"));
    CALL("PutObject", oss_sse_client_put_object, client, bucket, key, (const uint8_t *)body, sizeof body - 1,
         put_headers, &put_response);
    print_headers("PutObject response", put_response);
    CALL("HeadObject", oss_sse_client_head_object, client, bucket, key, &head);
    print_headers("HeadObject response", head);
    if (!header_is(head, "x-oss-server-side-encryption", "KMS") || !header_is(head, "x-oss-meta-author", "examples-c")) {
        goto done;
    }
    CALL("GetObject", oss_sse_client_get_object, client, bucket, key, &object);
    print_headers("GetObject response", oss_sse_object_headers(object));
    {
        oss_sse_bytes data = oss_sse_object_data(object);
        if (data.len != sizeof body - 1 || memcmp(data.data, body, data.len) != 0) {
            fprintf(stderr, "GetObject returned other bytes than were uploaded\n");
            goto done;
        }
        printf("GetObject: %u bytes, identical to the upload\n", (unsigned)data.len);
    }
    if (!header_is(oss_sse_object_headers(object), "x-oss-server-side-encryption", "KMS")) {
        goto done;
    }

    CALL("DeleteObject", oss_sse_client_delete_object, client, bucket, key);
    CALL("DeleteBucket", oss_sse_client_delete_bucket, client, bucket);
    ok = 1;
    printf("sse_example: all steps succeeded\n");

done:
    oss_sse_object_free(object);
    oss_sse_headers_free(head);
    oss_sse_headers_free(put_response);
    oss_sse_headers_free(put_headers);
    oss_sse_bucket_encryption_free(rule);
    oss_sse_set_bucket_encryption_request_free(set);
    oss_sse_client_free(client);
    return ok ? 0 : 1;
}
