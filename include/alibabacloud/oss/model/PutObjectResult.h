// PutObjectResult.h: what an upload returns: the ETag, the CRC64 and the response headers.
#pragma once

#include <string>

#include <alibabacloud/oss/OssResult.h>
#include <alibabacloud/oss/model/ObjectMetaData.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// The uploaded object's ETag and CRC64, and every response header (Metadata(), an oss-sse
    /// addition, holds x-oss-server-side-encryption and the key id).
    class ALIBABACLOUD_OSS_EXPORT PutObjectResult : public OssResult
    {
    public:
        PutObjectResult() {}
        explicit PutObjectResult(const HeaderCollection& headers) : metaData_(headers) {}

        const std::string& ETag() const { return metaData_.ETag(); }
        uint64_t CRC64() const { return metaData_.CRC64(); }
        const ObjectMetaData& Metadata() const { return metaData_; }

    private:
        ObjectMetaData metaData_;
    };
}
}
