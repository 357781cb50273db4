// OssResult.h: what every successful result carries: the request id OSS assigned.
#pragma once

#include <string>

#include <alibabacloud/oss/Export.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// The base of results.
    class ALIBABACLOUD_OSS_EXPORT OssResult
    {
    public:
        OssResult() {}
        virtual ~OssResult() {}
        /// The request id of the response (`x-oss-request-id`).
        const std::string& RequestId() const { return requestId_; }
        void setRequestId(const std::string& requestId) { requestId_ = requestId; }

    private:
        std::string requestId_;
    };
}
}
