// DeleteObjectResult.h: the result of deleting an object.
#pragma once

#include <alibabacloud/oss/OssResult.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// Only the request id: oss-sse buckets are not versioned.
    class ALIBABACLOUD_OSS_EXPORT DeleteObjectResult : public OssResult
    {
    public:
        DeleteObjectResult() {}
    };
}
}
