// Ffi.h: the glue between the C++ classes and oss_sse.h: owning wrappers for C handles, string views
// to std::string, C errors to OssError, and the trampoline that lets a CredentialsProvider subclass
// answer the C library's credentials callback. Not part of the SDK's API.
#pragma once

#include <cstdint>
#include <exception>
#include <istream>
#include <memory>
#include <ostream>
#include <string>

#include <oss_sse.h>

#include <alibabacloud/oss/OssError.h>
#include <alibabacloud/oss/Types.h>
#include <alibabacloud/oss/auth/CredentialsProvider.h>

namespace AlibabaCloud
{
namespace OSS
{
namespace detail
{
    inline std::string str(oss_sse_str s)
    {
        return std::string(s.data, s.len);
    }

    /// Frees a handle with the C library's matching function.
    template <typename T, void (*Free)(T*)>
    struct Deleter
    {
        void operator()(T* p) const { Free(p); }
    };

    using ErrorPtr = std::unique_ptr<oss_sse_error, Deleter<oss_sse_error, oss_sse_error_free>>;
    using HeadersPtr = std::unique_ptr<oss_sse_headers, Deleter<oss_sse_headers, oss_sse_headers_free>>;
    using ConfigPtr = std::unique_ptr<oss_sse_config, Deleter<oss_sse_config, oss_sse_config_free>>;

    /// The OssError of a failed C call; `err` may be NULL (then only the result code is known).
    inline OssError toOssError(oss_sse_result result, const oss_sse_error* err)
    {
        if (err == nullptr) {
            return OssError(str(oss_sse_result_name(result)), "oss_sse call failed");
        }
        OssError e(str(oss_sse_error_code(err)), str(oss_sse_error_message(err)), str(oss_sse_error_request_id(err)),
                   str(oss_sse_error_host(err)));
        e.setStatus(static_cast<long>(oss_sse_error_http_status(err)));
        e.setEC(str(oss_sse_error_ec(err)));
        HeaderCollection headers;
        if (!e.RequestId().empty()) {
            headers["x-oss-request-id"] = e.RequestId();
        }
        if (!e.EC().empty()) {
            headers["x-oss-ec"] = e.EC();
        }
        e.setHeaders(headers);
        return e;
    }

    /// Copies a C header list.
    inline HeaderCollection toHeaders(const oss_sse_headers* h)
    {
        HeaderCollection out;
        size_t n = oss_sse_headers_count(h);
        for (size_t i = 0; i < n; ++i) {
            oss_sse_str name;
            oss_sse_str value;
            if (oss_sse_headers_at(h, i, &name, &value) == OSS_SSE_RESULT_OK) {
                out[str(name)] = str(value);
            }
        }
        return out;
    }

    /// What the C library holds as userdata for a C++ provider: a reference that keeps it alive.
    using ProviderRef = std::shared_ptr<CredentialsProvider>;

    extern "C" inline uint32_t alibabacloud_oss_sse_cpp_credentials(void* userdata, oss_sse_credentials_sink* sink)
    {
        // No exception may unwind into the C library: every failure becomes a non-zero status.
        try {
            ProviderRef& provider = *static_cast<ProviderRef*>(userdata);
            Credentials c = provider->getCredentials();
            const char* token = c.SessionToken().empty() ? nullptr : c.SessionToken().c_str();
            oss_sse_result r =
                oss_sse_credentials_sink_set(sink, c.AccessKeyId().c_str(), c.AccessKeySecret().c_str(), token);
            if (r != OSS_SSE_RESULT_OK) {
                oss_sse_credentials_sink_fail(sink, "CredentialsProvider::getCredentials() returned unusable "
                                                    "credentials (empty, or with control characters)");
                return static_cast<uint32_t>(r);
            }
            return 0u;
        } catch (const std::exception& e) {
            oss_sse_credentials_sink_fail(sink, e.what());
            return 0xFFFFu;
        } catch (...) {
            oss_sse_credentials_sink_fail(sink, "CredentialsProvider::getCredentials() threw");
            return 0xFFFFu;
        }
    }

    extern "C" inline void alibabacloud_oss_sse_cpp_credentials_free(void* userdata)
    {
        delete static_cast<ProviderRef*>(userdata);
    }

    /// The write callback of a streamed download: `userdata` is the std::ostream to append to.
    extern "C" inline uint32_t alibabacloud_oss_sse_cpp_write(void* userdata, const uint8_t* buf, size_t len)
    {
        try {
            std::ostream& out = *static_cast<std::ostream*>(userdata);
            out.write(reinterpret_cast<const char*>(buf), static_cast<std::streamsize>(len));
            return out.good() ? 0u : 1u;
        } catch (...) {
            return 2u;
        }
    }

    /// The read callback of a streamed upload: `userdata` is the std::istream to read from.
    extern "C" inline uint32_t alibabacloud_oss_sse_cpp_read(void* userdata, uint8_t* buf, size_t len, size_t* written)
    {
        try {
            std::istream& in = *static_cast<std::istream*>(userdata);
            in.read(reinterpret_cast<char*>(buf), static_cast<std::streamsize>(len));
            *written = static_cast<size_t>(in.gcount());
            return in.bad() ? 1u : 0u;
        } catch (...) {
            return 2u;
        }
    }
}
}
}
