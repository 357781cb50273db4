// ClientConfiguration.h: the C++ SDK's client settings, with its defaults.
//
// Honoured: userAgent, scheme (for endpoints written without one), maxConnections, requestTimeoutMs,
// connectTimeoutMs, retryStrategy, proxyScheme/proxyHost/proxyPort/proxyUserName/proxyPassword,
// verifySSL, caFile, isCname, enableCrc64, enableDateSkewAdjustment, isPathStyle,
// signatureVersion, authVersion.
// Accepted but without effect in oss-sse (documented so that code setting them still compiles):
// sendRateLimiter, recvRateLimiter, networkInterface, executor, httpClient, isVerifyObjectStrict,
// additionalHeaders.
// Refused: caPath (every call then fails with InvalidArgument; use caFile).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <alibabacloud/oss/Types.h>
#include <alibabacloud/oss/client/RetryStrategy.h>
#include <alibabacloud/oss/http/HttpType.h>

namespace AlibabaCloud
{
namespace OSS
{
    class RateLimiter;
    class Executor;
    class HttpClient;

    /// Settings of an OssClient, copied when the client is constructed.
    class ALIBABACLOUD_OSS_EXPORT ClientConfiguration
    {
    public:
        ClientConfiguration()
            : scheme(Http::HTTP),
              maxConnections(16),
              requestTimeoutMs(10000),
              connectTimeoutMs(5000),
              retryStrategy(std::make_shared<DefaultRetryStrategy>()),
              proxyScheme(Http::HTTP),
              proxyPort(0),
              verifySSL(true),
              isCname(false),
              enableCrc64(true),
              enableDateSkewAdjustment(true),
              isVerifyObjectStrict(true),
              isPathStyle(false),
              signatureVersion(SignatureVersionType::V1)
        {
        }
        ~ClientConfiguration() = default;

        /// User-Agent; empty means the library's (`oss-sse/<version>`).
        std::string userAgent;
        /// Scheme for endpoints written without `http://` or `https://`.
        Http::Scheme scheme;
        /// Connections kept open to the endpoint.
        unsigned maxConnections;
        /// The most a request may take once connected, in ms.
        long requestTimeoutMs;
        /// Connect timeout, in ms.
        long connectTimeoutMs;
        /// Retry policy; nullptr means no retries.
        std::shared_ptr<RetryStrategy> retryStrategy;
        /// Proxy settings; an empty proxyHost means no proxy.
        Http::Scheme proxyScheme;
        std::string proxyHost;
        unsigned int proxyPort;
        std::string proxyUserName;
        std::string proxyPassword;
        /// Verify TLS certificates (turn off for testing only).
        bool verifySSL;
        /// Directory of trusted CA certificates: not supported, use caFile (a client with it set fails).
        std::string caPath;
        /// File of trusted CA certificates (PEM).
        std::string caFile;
        /// The endpoint is a custom domain bound to one bucket.
        bool isCname;
        /// Check CRC64 of uploads and downloads.
        bool enableCrc64;
        /// Correct the request time after RequestTimeTooSkewed.
        bool enableDateSkewAdjustment;
        /// Accepted, no effect: oss-sse does not throttle.
        std::shared_ptr<RateLimiter> sendRateLimiter;
        /// Accepted, no effect: oss-sse does not throttle.
        std::shared_ptr<RateLimiter> recvRateLimiter;
        /// Accepted, no effect: the operating system picks the interface.
        std::string networkInterface;
        /// Accepted, no effect: oss-sse has no asynchronous calls.
        std::shared_ptr<Executor> executor;
        /// Accepted, no effect: oss-sse always uses its own HTTP client.
        std::shared_ptr<HttpClient> httpClient;
        /// Accepted, no effect: object keys are always checked the same way.
        bool isVerifyObjectStrict;
        /// Address buckets as `endpoint/bucket` (IP endpoints always are).
        bool isPathStyle;
        /// V1 (HMAC-SHA1, the default) or V4 (needs a region: see OssClient::SetRegion).
        SignatureVersionType signatureVersion;
        /// The newer SDKs' spelling of the same choice: "" or "1.0" (V1), "4.0" (V4). Either this or
        /// signatureVersion asking for V4 selects V4; "2.0" (signature V2) is refused.
        std::string authVersion;
        /// Accepted, no effect: not sent by oss-sse.
        std::vector<std::pair<std::string, std::string>> additionalHeaders;
    };
}
}
