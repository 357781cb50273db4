// Error.h: a failed call as the retry strategy sees it: code, message, HTTP status and headers.
#pragma once

#include <string>

#include <alibabacloud/oss/Types.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// A client or service error.
    class ALIBABACLOUD_OSS_EXPORT Error
    {
    public:
        Error() : status_(0) {}
        Error(const std::string& code, const std::string& message)
            : code_(code), message_(message), status_(0)
        {
        }
        virtual ~Error() {}

        /// The error code: OSS's (`NoSuchBucket`) or the client's (`ValidateError`, `TransportError`).
        const std::string& Code() const { return code_; }
        /// The human-readable message.
        const std::string& Message() const { return message_; }
        /// The HTTP status; 0 when no response arrived.
        long Status() const { return status_; }
        /// Headers of the failed response that the client kept (`x-oss-request-id`, `x-oss-ec`).
        const HeaderCollection& Headers() const { return headers_; }

        void setCode(const std::string& code) { code_ = code; }
        void setMessage(const std::string& message) { message_ = message; }
        void setStatus(long status) { status_ = status; }
        void setHeaders(const HeaderCollection& headers) { headers_ = headers; }

    private:
        std::string code_;
        std::string message_;
        long status_;
        HeaderCollection headers_;
    };
}
}
