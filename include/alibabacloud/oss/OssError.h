// OssError.h: the error of an Outcome: code, message, request id and host, as the C++ SDK has them,
// plus OSS's EC diagnostic code.
#pragma once

#include <string>

#include <alibabacloud/oss/client/Error.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// An error returned by OSS, or raised by the client before or instead of a response.
    class ALIBABACLOUD_OSS_EXPORT OssError : public Error
    {
    public:
        OssError() {}
        OssError(const std::string& code, const std::string& message) : Error(code, message) {}
        OssError(const std::string& code, const std::string& message, const std::string& requestId,
                 const std::string& host)
            : Error(code, message), requestId_(requestId), host_(host)
        {
        }

        /// The request id OSS assigned (empty when no response arrived).
        const std::string& RequestId() const { return requestId_; }
        /// The host that answered (the error document's HostId).
        const std::string& Host() const { return host_; }
        /// OSS's EC diagnostic code (empty when absent). An oss-sse addition.
        const std::string& EC() const { return ec_; }

        void setRequestId(const std::string& requestId) { requestId_ = requestId; }
        void setHost(const std::string& host) { host_ = host; }
        void setEC(const std::string& ec) { ec_ = ec; }

    private:
        std::string requestId_;
        std::string host_;
        std::string ec_;
    };
}
}
