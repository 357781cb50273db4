// OssClient.h: the entry header of the C++ layer, reproducing the official OSS C++ SDK's OssClient over
// the oss-sse C library (oss_sse.h). Include it and link liboss_sse. Like the SDK's headers it brings in
// <iostream>, <memory>, <string>, <map>, <sstream> and <vector>, which the SDK's samples rely on.
//
// Differences from the SDK worth knowing:
// - An OssClient is thread-safe for calls, as the SDK's is; SetRegion() must not race with calls.
// - PutObject streams a seekable body (file, stringstream) from its current position without copying
//   it, and reads any other stream into memory first; GetObject streams the content into the
//   std::stringstream it returns, as the SDK does by default.
// - Bad bucket names are refused with code "ValidateError" before anything is sent, as the SDK does.
#pragma once

#include <chrono>
#include <cstdint>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <oss_sse.h>

#include <alibabacloud/oss/Global.h>
#include <alibabacloud/oss/OssFwd.h>
#include <alibabacloud/oss/auth/Credentials.h>
#include <alibabacloud/oss/auth/CredentialsProvider.h>
#include <alibabacloud/oss/auth/EnvironmentVariableCredentialsProvider.h>
#include <alibabacloud/oss/auth/SimpleCredentialsProvider.h>
#include <alibabacloud/oss/client/ClientConfiguration.h>
#include <alibabacloud/oss/detail/Ffi.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// A client for one OSS endpoint.
    class ALIBABACLOUD_OSS_EXPORT OssClient
    {
    public:
        OssClient(const std::string& endpoint, const std::string& accessKeyId, const std::string& accessKeySecret,
                  const ClientConfiguration& configuration)
            : OssClient(endpoint, Credentials(accessKeyId, accessKeySecret), configuration)
        {
        }

        OssClient(const std::string& endpoint, const std::string& accessKeyId, const std::string& accessKeySecret,
                  const std::string& securityToken, const ClientConfiguration& configuration)
            : OssClient(endpoint, Credentials(accessKeyId, accessKeySecret, securityToken), configuration)
        {
        }

        OssClient(const std::string& endpoint, const Credentials& credentials,
                  const ClientConfiguration& configuration)
            : endpoint_(endpoint), configuration_(configuration)
        {
            oss_sse_credentials_provider* p = nullptr;
            const char* token = credentials.SessionToken().empty() ? nullptr : credentials.SessionToken().c_str();
            oss_sse_result r = oss_sse_credentials_provider_new_static(
                credentials.AccessKeyId().c_str(), credentials.AccessKeySecret().c_str(), token, &p);
            if (r != OSS_SSE_RESULT_OK) {
                initError_ = OssError("InvalidArgument", "the credentials are not usable: " +
                                                             detail::str(oss_sse_result_name(r)));
                return;
            }
            provider_.reset(p, oss_sse_credentials_provider_free);
            build();
        }

        /// The provider is asked for credentials before every request.
        OssClient(const std::string& endpoint, const std::shared_ptr<CredentialsProvider>& credentialsProvider,
                  const ClientConfiguration& configuration)
            : endpoint_(endpoint), configuration_(configuration)
        {
            if (!credentialsProvider) {
                initError_ = OssError("InvalidArgument", "the credentials provider is null");
                return;
            }
            detail::ProviderRef* ref = new detail::ProviderRef(credentialsProvider);
            oss_sse_credentials_provider* p = nullptr;
            oss_sse_result r = oss_sse_credentials_provider_new_callback(
                detail::alibabacloud_oss_sse_cpp_credentials, ref, detail::alibabacloud_oss_sse_cpp_credentials_free,
                &p);
            if (r != OSS_SSE_RESULT_OK) {
                delete ref;  // on failure the library did not take the userdata
                initError_ = OssError("InvalidArgument", "the credentials provider is not usable: " +
                                                             detail::str(oss_sse_result_name(r)));
                return;
            }
            provider_.reset(p, oss_sse_credentials_provider_free);
            build();
        }

        virtual ~OssClient() {}

        /// Sets the region V4 signatures are scoped to (needed with V4 for IP endpoints).
        void SetRegion(const std::string& region)
        {
            region_ = region;
            if (provider_) {
                build();
            }
        }

        // Buckets

        CreateBucketOutcome CreateBucket(const std::string& bucket) const
        {
            return CreateBucket(CreateBucketRequest(bucket));
        }

        CreateBucketOutcome CreateBucket(const CreateBucketRequest& request) const
        {
            OssError error;
            bool ok = run(error, [&](oss_sse_error** err) {
                return oss_sse_client_create_bucket(client_.get(), request.Bucket().c_str(), err);
            });
            if (!ok) {
                return CreateBucketOutcome(error);
            }
            Bucket bucket;
            bucket.setName(request.Bucket());
            return CreateBucketOutcome(bucket);
        }

        VoidOutcome DeleteBucket(const std::string& bucket) const
        {
            return DeleteBucket(DeleteBucketRequest(bucket));
        }

        VoidOutcome DeleteBucket(const DeleteBucketRequest& request) const
        {
            return voidCall([&](oss_sse_error** err) {
                return oss_sse_client_delete_bucket(client_.get(), request.Bucket().c_str(), err);
            });
        }

        GetBucketInfoOutcome GetBucketInfo(const std::string& bucket) const
        {
            return GetBucketInfo(GetBucketInfoRequest(bucket));
        }

        GetBucketInfoOutcome GetBucketInfo(const GetBucketInfoRequest& request) const
        {
            oss_sse_bucket_info* info = nullptr;
            OssError error;
            bool ok = run(error, [&](oss_sse_error** err) {
                return oss_sse_client_get_bucket_info(client_.get(), request.Bucket().c_str(), &info, err);
            });
            if (!ok) {
                return GetBucketInfoOutcome(error);
            }
            GetBucketInfoResult result;
            result.setName(detail::str(oss_sse_bucket_info_name(info)));
            result.setLocation(detail::str(oss_sse_bucket_info_location(info)));
            result.setCreationDate(detail::str(oss_sse_bucket_info_creation_date(info)));
            result.setStorageClass(storageClass(detail::str(oss_sse_bucket_info_storage_class(info))));
            result.setSSEAlgorithm(algorithm(oss_sse_bucket_info_sse_algorithm(info)));
            result.setKMSMasterKeyID(detail::str(oss_sse_bucket_info_kms_master_key_id(info)));
            result.setRequestId(detail::str(oss_sse_bucket_info_request_id(info)));
            oss_sse_bucket_info_free(info);
            return GetBucketInfoOutcome(result);
        }

        // Bucket encryption

        VoidOutcome SetBucketEncryption(const SetBucketEncryptionRequest& request) const
        {
            oss_sse_set_bucket_encryption_request* req = nullptr;
            oss_sse_result r = oss_sse_set_bucket_encryption_request_new(request.Bucket().c_str(), &req);
            if (r == OSS_SSE_RESULT_OK) {
                r = oss_sse_set_bucket_encryption_request_set_algorithm(req, static_cast<uint32_t>(request.SSEAlgorithm()));
            }
            if (r == OSS_SSE_RESULT_OK) {
                r = oss_sse_set_bucket_encryption_request_set_kms_master_key_id(req, request.KMSMasterKeyID().c_str());
            }
            if (r == OSS_SSE_RESULT_OK) {
                r = oss_sse_set_bucket_encryption_request_set_kms_data_encryption(
                    req, request.KMSDataEncryption().c_str());
            }
            if (r != OSS_SSE_RESULT_OK) {
                oss_sse_set_bucket_encryption_request_free(req);
                return VoidOutcome(OssError("ValidateError", "the encryption rule is not valid: " +
                                                                 detail::str(oss_sse_result_name(r))));
            }
            VoidOutcome outcome = voidCall([&](oss_sse_error** err) {
                return oss_sse_client_set_bucket_encryption(client_.get(), req, err);
            });
            oss_sse_set_bucket_encryption_request_free(req);
            return outcome;
        }

        GetBucketEncryptionOutcome GetBucketEncryption(const GetBucketEncryptionRequest& request) const
        {
            oss_sse_bucket_encryption* rule = nullptr;
            OssError error;
            bool ok = run(error, [&](oss_sse_error** err) {
                return oss_sse_client_get_bucket_encryption(client_.get(), request.Bucket().c_str(), &rule, err);
            });
            if (!ok) {
                return GetBucketEncryptionOutcome(error);
            }
            GetBucketEncryptionResult result;
            result.setSSEAlgorithm(algorithm(oss_sse_bucket_encryption_algorithm(rule)));
            result.setKMSMasterKeyID(detail::str(oss_sse_bucket_encryption_kms_master_key_id(rule)));
            result.setKMSDataEncryption(detail::str(oss_sse_bucket_encryption_kms_data_encryption(rule)));
            oss_sse_bucket_encryption_free(rule);
            return GetBucketEncryptionOutcome(result);
        }

        VoidOutcome DeleteBucketEncryption(const DeleteBucketEncryptionRequest& request) const
        {
            return voidCall([&](oss_sse_error** err) {
                return oss_sse_client_delete_bucket_encryption(client_.get(), request.Bucket().c_str(), err);
            });
        }

        // Objects

        PutObjectOutcome PutObject(const std::string& bucket, const std::string& key,
                                   const std::shared_ptr<std::iostream>& content) const
        {
            return PutObject(PutObjectRequest(bucket, key, content));
        }

        PutObjectOutcome PutObject(const std::string& bucket, const std::string& key,
                                   const std::shared_ptr<std::iostream>& content, const ObjectMetaData& meta) const
        {
            return PutObject(PutObjectRequest(bucket, key, content, meta));
        }

        PutObjectOutcome PutObject(const PutObjectRequest& request) const
        {
            if (!request.Body()) {
                return PutObjectOutcome(OssError("ValidateError", "the request body is null"));
            }
            detail::HeadersPtr headers;
            OssError error;
            if (!requestHeaders(request.MetaData(), headers, error)) {
                return PutObjectOutcome(error);
            }
            std::iostream& in = *request.Body();
            oss_sse_headers* response = nullptr;
            bool ok;
            // A seekable stream (a file, a stringstream) is measured and streamed from its current
            // position, and rewound for each retry; any other is read into memory first.
            std::streampos start = in.tellg();
            std::streampos end = std::streampos(-1);
            if (start != std::streampos(-1) && in.seekg(0, std::ios_base::end)) {
                end = in.tellg();
            }
            in.clear();
            if (start != std::streampos(-1) && end != std::streampos(-1) && end >= start) {
                uint64_t length = static_cast<uint64_t>(end - start);
                std::istream* source = &in;
                ok = run(error, [&](oss_sse_error** err) {
                    in.clear();
                    in.seekg(start);
                    return oss_sse_client_put_object_stream(client_.get(), request.Bucket().c_str(),
                                                            request.Key().c_str(), length,
                                                            detail::alibabacloud_oss_sse_cpp_read, source,
                                                            headers.get(), &response, err);
                });
            } else {
                std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
                if (in.bad()) {
                    return PutObjectOutcome(OssError("ValidateError", "the request body could not be read"));
                }
                ok = run(error, [&](oss_sse_error** err) {
                    return oss_sse_client_put_object(client_.get(), request.Bucket().c_str(), request.Key().c_str(),
                                                     reinterpret_cast<const uint8_t*>(body.data()), body.size(),
                                                     headers.get(), &response, err);
                });
            }
            if (!ok) {
                return PutObjectOutcome(error);
            }
            detail::HeadersPtr owned(response);
            HeaderCollection collected = detail::toHeaders(response);
            PutObjectResult result(collected);
            result.setRequestId(collected["x-oss-request-id"]);
            return PutObjectOutcome(result);
        }

        GetObjectOutcome GetObject(const std::string& bucket, const std::string& key) const
        {
            return GetObject(GetObjectRequest(bucket, key));
        }

        GetObjectOutcome GetObject(const GetObjectRequest& request) const
        {
            // The content streams straight into the stringstream the result hands out.
            std::shared_ptr<std::stringstream> content = std::make_shared<std::stringstream>(
                std::ios_base::in | std::ios_base::out | std::ios_base::binary);
            std::ostream* sink = content.get();
            oss_sse_headers* headers = nullptr;
            OssError error;
            bool ok = run(error, [&](oss_sse_error** err) {
                content->str(std::string());  // a retry starts over
                content->clear();
                return oss_sse_client_get_object_stream(client_.get(), request.Bucket().c_str(),
                                                        request.Key().c_str(), detail::alibabacloud_oss_sse_cpp_write,
                                                        sink, &headers, err);
            });
            if (!ok) {
                return GetObjectOutcome(error);
            }
            detail::HeadersPtr owned(headers);
            HeaderCollection collected = detail::toHeaders(headers);
            GetObjectResult result(request.Bucket(), request.Key(), content, ObjectMetaData(collected));
            result.setRequestId(collected["x-oss-request-id"]);
            return GetObjectOutcome(result);
        }

        ObjectMetaDataOutcome HeadObject(const std::string& bucket, const std::string& key) const
        {
            return HeadObject(HeadObjectRequest(bucket, key));
        }

        ObjectMetaDataOutcome HeadObject(const HeadObjectRequest& request) const
        {
            oss_sse_headers* headers = nullptr;
            OssError error;
            bool ok = run(error, [&](oss_sse_error** err) {
                return oss_sse_client_head_object(client_.get(), request.Bucket().c_str(), request.Key().c_str(),
                                                  &headers, err);
            });
            if (!ok) {
                return ObjectMetaDataOutcome(error);
            }
            detail::HeadersPtr owned(headers);
            return ObjectMetaDataOutcome(ObjectMetaData(detail::toHeaders(headers)));
        }

        DeleteObjectOutcome DeleteObject(const std::string& bucket, const std::string& key) const
        {
            OssError error;
            bool ok = run(error, [&](oss_sse_error** err) {
                return oss_sse_client_delete_object(client_.get(), bucket.c_str(), key.c_str(), err);
            });
            return ok ? DeleteObjectOutcome(DeleteObjectResult()) : DeleteObjectOutcome(error);
        }

    private:
        /// (Re)creates the C client from the configuration; failures are reported by every call.
        void build()
        {
            client_.reset();
            initError_ = OssError();
            oss_sse_config* raw = nullptr;
            if (oss_sse_config_new(&raw) != OSS_SSE_RESULT_OK) {
                initError_ = OssError("ClientError", "could not allocate a configuration");
                return;
            }
            detail::ConfigPtr config(raw);
            const ClientConfiguration& c = configuration_;
            if (!c.authVersion.empty() && c.authVersion != "1.0" && c.authVersion != "4.0") {
                initError_ = OssError("InvalidArgument", "ClientConfiguration.authVersion \"" + c.authVersion +
                                                             "\" is not supported: use \"1.0\" or \"4.0\"");
                return;
            }
            if (!c.caPath.empty()) {
                // Failing loudly beats trusting other roots than the caller asked for.
                initError_ = OssError("InvalidArgument", "ClientConfiguration.caPath is not supported by oss-sse: put "
                                                         "the certificates into one PEM file and set caFile");
                return;
            }
            const char* field = nullptr;
            oss_sse_result r = OSS_SSE_RESULT_OK;
#define ALIBABACLOUD_OSS_SSE_SET(name, call) \
    if (r == OSS_SSE_RESULT_OK) {            \
        field = name;                        \
        r = (call);                          \
    }
            if (!c.userAgent.empty()) {
                ALIBABACLOUD_OSS_SSE_SET("userAgent", oss_sse_config_set_user_agent(raw, c.userAgent.c_str()))
            }
            ALIBABACLOUD_OSS_SSE_SET("scheme", oss_sse_config_set_scheme(raw, scheme(c.scheme)))
            ALIBABACLOUD_OSS_SSE_SET("maxConnections", oss_sse_config_set_max_connections(raw, c.maxConnections))
            ALIBABACLOUD_OSS_SSE_SET("requestTimeoutMs",
                                     oss_sse_config_set_request_timeout_ms(raw, millis(c.requestTimeoutMs)))
            ALIBABACLOUD_OSS_SSE_SET("connectTimeoutMs",
                                     oss_sse_config_set_connect_timeout_ms(raw, millis(c.connectTimeoutMs)))
            // Retries are driven here, by the configuration's RetryStrategy, so the library's are off.
            ALIBABACLOUD_OSS_SSE_SET("retryStrategy", oss_sse_config_set_max_retries(raw, 0))
            if (!c.proxyHost.empty()) {
                ALIBABACLOUD_OSS_SSE_SET(
                    "proxyHost",
                    oss_sse_config_set_proxy(raw, scheme(c.proxyScheme), c.proxyHost.c_str(),
                                             c.proxyPort <= 65535 ? static_cast<uint16_t>(c.proxyPort) : 0,
                                             c.proxyUserName.c_str(), c.proxyPassword.c_str()))
            }
            ALIBABACLOUD_OSS_SSE_SET("verifySSL", oss_sse_config_set_verify_ssl(raw, c.verifySSL))
            if (!c.caFile.empty()) {
                ALIBABACLOUD_OSS_SSE_SET("caFile", oss_sse_config_set_ca_file(raw, c.caFile.c_str()))
            }
            ALIBABACLOUD_OSS_SSE_SET("isCname", oss_sse_config_set_cname(raw, c.isCname))
            ALIBABACLOUD_OSS_SSE_SET("enableCrc64", oss_sse_config_set_crc64(raw, c.enableCrc64))
            ALIBABACLOUD_OSS_SSE_SET("enableDateSkewAdjustment",
                                     oss_sse_config_set_date_skew_adjustment(raw, c.enableDateSkewAdjustment))
            ALIBABACLOUD_OSS_SSE_SET("isPathStyle", oss_sse_config_set_path_style(raw, c.isPathStyle))
            ALIBABACLOUD_OSS_SSE_SET(
                "signatureVersion",
                oss_sse_config_set_signature_version(
                    raw, c.signatureVersion == SignatureVersionType::V4 || c.authVersion == "4.0"
                             ? OSS_SSE_SIGNATURE_VERSION_V4
                             : OSS_SSE_SIGNATURE_VERSION_V1))
            if (!region_.empty()) {
                ALIBABACLOUD_OSS_SSE_SET("region", oss_sse_config_set_region(raw, region_.c_str()))
            }
#undef ALIBABACLOUD_OSS_SSE_SET
            if (r != OSS_SSE_RESULT_OK) {
                initError_ = OssError("InvalidArgument", std::string("ClientConfiguration.") + field +
                                                             " is not valid: " + detail::str(oss_sse_result_name(r)));
                return;
            }
            oss_sse_client* client = nullptr;
            oss_sse_error* err = nullptr;
            r = oss_sse_client_new(endpoint_.c_str(), raw, provider_.get(), &client, &err);
            if (r != OSS_SSE_RESULT_OK) {
                detail::ErrorPtr owned(err);
                initError_ = detail::toOssError(r, err);
                return;
            }
            client_.reset(client, oss_sse_client_free);
        }

        /// Runs one C call, retried as the configuration's RetryStrategy says; false with `error` set
        /// when it finally failed.
        template <typename Call>
        bool run(OssError& error, Call call) const
        {
            if (!client_) {
                error = initError_;
                return false;
            }
            for (long attempt = 0;; ++attempt) {
                oss_sse_error* raw = nullptr;
                oss_sse_result r = call(&raw);
                detail::ErrorPtr owned(raw);
                if (r == OSS_SSE_RESULT_OK) {
                    return true;
                }
                error = detail::toOssError(r, raw);
                const std::shared_ptr<RetryStrategy>& retry = configuration_.retryStrategy;
                if (!retry || !retry->shouldRetry(error, attempt)) {
                    return false;
                }
                long delay = retry->calcDealyTimeMs(error, attempt);
                if (delay > 0) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
                }
            }
        }

        template <typename Call>
        VoidOutcome voidCall(Call call) const
        {
            OssError error;
            return run(error, call) ? VoidOutcome(VoidResult()) : VoidOutcome(error);
        }

        /// The request headers of an upload: HttpMetaData() as given (but Content-Length, which the
        /// library computes), UserMetaData() under `x-oss-meta-`.
        static bool requestHeaders(const ObjectMetaData& meta, detail::HeadersPtr& out, OssError& error)
        {
            oss_sse_headers* raw = nullptr;
            if (oss_sse_headers_new(&raw) != OSS_SSE_RESULT_OK) {
                error = OssError("ClientError", "could not allocate headers");
                return false;
            }
            out.reset(raw);
            std::vector<std::pair<std::string, std::string>> all;
            for (MetaData::const_iterator it = meta.HttpMetaData().begin(); it != meta.HttpMetaData().end(); ++it) {
                if (!caseInsensitiveLess()(it->first, "Content-Length") &&
                    !caseInsensitiveLess()("Content-Length", it->first)) {
                    continue;
                }
                all.push_back(*it);
            }
            for (MetaData::const_iterator it = meta.UserMetaData().begin(); it != meta.UserMetaData().end(); ++it) {
                all.push_back(std::make_pair("x-oss-meta-" + it->first, it->second));
            }
            for (size_t i = 0; i < all.size(); ++i) {
                if (oss_sse_headers_set(raw, all[i].first.c_str(), all[i].second.c_str()) != OSS_SSE_RESULT_OK) {
                    error = OssError("ValidateError", "header \"" + all[i].first + "\" is not valid");
                    return false;
                }
            }
            return true;
        }

        static uint32_t scheme(Http::Scheme s)
        {
            return s == Http::HTTPS ? OSS_SSE_SCHEME_HTTPS : OSS_SSE_SCHEME_HTTP;
        }

        static uint64_t millis(long ms)
        {
            // Non-positive timeouts are passed as 0, which the library rejects with a clear error.
            return ms > 0 ? static_cast<uint64_t>(ms) : 0;
        }

        static AlibabaCloud::OSS::SSEAlgorithm algorithm(oss_sse_algorithm a)
        {
            switch (a) {
            case OSS_SSE_ALGORITHM_KMS:
                return AlibabaCloud::OSS::SSEAlgorithm::KMS;
            case OSS_SSE_ALGORITHM_AES256:
                return AlibabaCloud::OSS::SSEAlgorithm::AES256;
            case OSS_SSE_ALGORITHM_SM4:
                return AlibabaCloud::OSS::SSEAlgorithm::SM4;
            default:
                return AlibabaCloud::OSS::SSEAlgorithm::NotSet;
            }
        }

        static AlibabaCloud::OSS::StorageClass storageClass(const std::string& s)
        {
            if (s == "IA") {
                return AlibabaCloud::OSS::StorageClass::IA;
            }
            if (s == "Archive") {
                return AlibabaCloud::OSS::StorageClass::Archive;
            }
            if (s == "ColdArchive") {
                return AlibabaCloud::OSS::StorageClass::ColdArchive;
            }
            return AlibabaCloud::OSS::StorageClass::Standard;
        }

        std::string endpoint_;
        ClientConfiguration configuration_;
        std::string region_;
        std::shared_ptr<oss_sse_credentials_provider> provider_;
        std::shared_ptr<oss_sse_client> client_;
        OssError initError_;
    };
}
}
