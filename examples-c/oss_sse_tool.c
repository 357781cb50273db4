/* oss_sse_tool.c: a small command-line client over the C API, used by the Makefile to check from the
 * outside what the C++ samples did, and by `make demo` to move objects.
 *
 *   oss_sse_tool mb BUCKET                    create a bucket
 *   oss_sse_tool rb BUCKET                    delete a bucket
 *   oss_sse_tool enc-get BUCKET               print the rule's algorithm (KMS, AES256, SM4) and key id,
 *                                             or "none" when the bucket has no rule
 *   oss_sse_tool info BUCKET                  GetBucketInfo: name, location, encryption
 *   oss_sse_tool put BUCKET KEY FILE [SSE]    upload FILE, streamed, SSE = KMS | AES256 | SM4; prints the
 *                                             response headers
 *   oss_sse_tool get BUCKET KEY FILE          download into FILE, streamed; prints the response headers
 *   oss_sse_tool rm BUCKET KEY                delete an object
 *
 * The endpoint comes from OSS_ENDPOINT, the credentials from OSS_ACCESS_KEY_ID / OSS_ACCESS_KEY_SECRET. */
#include "common.h"

static int fail(const char *what, oss_sse_result r, oss_sse_error *err)
{
    print_error(what, r, err);
    oss_sse_error_free(err);
    return 1;
}

/* The streaming callbacks: the file is read and written in chunks, never held whole. */
static uint32_t read_from_file(void *userdata, uint8_t *buf, size_t len, size_t *written)
{
    FILE *f = userdata;
    *written = fread(buf, 1, len, f);
    return ferror(f) ? 1u : 0u;
}

static uint32_t write_to_file(void *userdata, const uint8_t *buf, size_t len)
{
    FILE *f = userdata;
    return fwrite(buf, 1, len, f) == len ? 0u : 1u;
}

static int usage(void)
{
    fprintf(stderr, "usage: oss_sse_tool mb|rb|enc-get|info BUCKET | put BUCKET KEY FILE [SSE] | get BUCKET KEY FILE | "
                    "rm BUCKET KEY\n");
    return 2;
}

static int run(oss_sse_client *client, int argc, char **argv)
{
    const char *cmd = argv[1];
    oss_sse_error *err = NULL;
    oss_sse_result r;

    if (strcmp(cmd, "mb") == 0 && argc == 3) {
        r = oss_sse_client_create_bucket(client, argv[2], &err);
        return r == OSS_SSE_RESULT_OK ? 0 : fail("CreateBucket", r, err);
    }
    if (strcmp(cmd, "rb") == 0 && argc == 3) {
        r = oss_sse_client_delete_bucket(client, argv[2], &err);
        return r == OSS_SSE_RESULT_OK ? 0 : fail("DeleteBucket", r, err);
    }
    if (strcmp(cmd, "enc-get") == 0 && argc == 3) {
        oss_sse_bucket_encryption *rule = NULL;
        static const char *names[] = {"none", "KMS", "AES256", "SM4"};
        r = oss_sse_client_get_bucket_encryption(client, argv[2], &rule, &err);
        if (r == OSS_SSE_RESULT_SERVICE_ERROR) {
            oss_sse_str code = oss_sse_error_code(err);
            if (code.len == strlen("NoSuchServerSideEncryptionRule") &&
                memcmp(code.data, "NoSuchServerSideEncryptionRule", code.len) == 0) {
                printf("none\n");
                oss_sse_error_free(err);
                return 0;
            }
        }
        if (r != OSS_SSE_RESULT_OK) {
            return fail("GetBucketEncryption", r, err);
        } else {
            oss_sse_algorithm a = oss_sse_bucket_encryption_algorithm(rule);
            oss_sse_str id = oss_sse_bucket_encryption_kms_master_key_id(rule);
            printf("%s%s%.*s\n", a <= OSS_SSE_ALGORITHM_SM4 ? names[a] : "?", id.len ? " " : "", (int)id.len,
                   id.data);
            oss_sse_bucket_encryption_free(rule);
            return 0;
        }
    }
    if (strcmp(cmd, "info") == 0 && argc == 3) {
        oss_sse_bucket_info *info = NULL;
        static const char *names[] = {"None", "KMS", "AES256", "SM4"};
        r = oss_sse_client_get_bucket_info(client, argv[2], &info, &err);
        if (r != OSS_SSE_RESULT_OK) {
            return fail("GetBucketInfo", r, err);
        } else {
            oss_sse_str name = oss_sse_bucket_info_name(info);
            oss_sse_str loc = oss_sse_bucket_info_location(info);
            oss_sse_str id = oss_sse_bucket_info_kms_master_key_id(info);
            oss_sse_algorithm a = oss_sse_bucket_info_sse_algorithm(info);
            printf("Name=%.*s Location=%.*s SSEAlgorithm=%s KMSMasterKeyID=%.*s\n", (int)name.len, name.data,
                   (int)loc.len, loc.data, a <= OSS_SSE_ALGORITHM_SM4 ? names[a] : "?", (int)id.len, id.data);
            oss_sse_bucket_info_free(info);
            return 0;
        }
    }
    if (strcmp(cmd, "put") == 0 && (argc == 5 || argc == 6)) {
        oss_sse_headers *headers = NULL, *response = NULL;
        int status = 1;
        long size;
        FILE *f = fopen(argv[4], "rb");
        if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
            perror(argv[4]);
            if (f != NULL) {
                fclose(f);
            }
            return 1;
        }
        if ((r = oss_sse_headers_new(&headers)) != OSS_SSE_RESULT_OK ||
            (argc == 6 && (r = oss_sse_headers_set(headers, "x-oss-server-side-encryption", argv[5])) !=
                              OSS_SSE_RESULT_OK)) {
            print_error("headers", r, NULL);
        } else if ((r = oss_sse_client_put_object_stream(client, argv[2], argv[3], (uint64_t)size, read_from_file, f,
                                                         headers, &response, &err)) != OSS_SSE_RESULT_OK) {
            fail("PutObject", r, err);
        } else {
            print_headers("PutObject response", response);
            status = 0;
        }
        oss_sse_headers_free(response);
        oss_sse_headers_free(headers);
        fclose(f);
        return status;
    }
    if (strcmp(cmd, "get") == 0 && argc == 5) {
        oss_sse_headers *headers = NULL;
        FILE *f = fopen(argv[4], "wb");
        if (f == NULL) {
            perror(argv[4]);
            return 1;
        }
        r = oss_sse_client_get_object_stream(client, argv[2], argv[3], write_to_file, f, &headers, &err);
        if (fclose(f) != 0 && r == OSS_SSE_RESULT_OK) {
            perror(argv[4]);
            oss_sse_headers_free(headers);
            return 1;
        }
        if (r != OSS_SSE_RESULT_OK) {
            return fail("GetObject", r, err);
        }
        print_headers("GetObject response", headers);
        oss_sse_headers_free(headers);
        return 0;
    }
    if (strcmp(cmd, "rm") == 0 && argc == 4) {
        r = oss_sse_client_delete_object(client, argv[2], argv[3], &err);
        return r == OSS_SSE_RESULT_OK ? 0 : fail("DeleteObject", r, err);
    }
    return usage();
}

int main(int argc, char **argv)
{
    const char *endpoint = endpoint_from_env();
    oss_sse_client *client;
    int status;
    if (argc < 2) {
        return usage();
    }
    if (endpoint == NULL) {
        fprintf(stderr, "set OSS_ENDPOINT\n");
        return 2;
    }
    client = make_client(endpoint, 5000, 10000, 3);
    if (client == NULL) {
        return 1;
    }
    status = run(client, argc, argv);
    oss_sse_client_free(client);
    return status;
}
