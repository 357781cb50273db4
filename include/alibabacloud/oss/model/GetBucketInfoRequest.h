// GetBucketInfoRequest.h: reads a bucket's description.
#pragma once

#include <alibabacloud/oss/OssRequest.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// Names the bucket to describe.
    class ALIBABACLOUD_OSS_EXPORT GetBucketInfoRequest : public OssBucketRequest
    {
    public:
        explicit GetBucketInfoRequest(const std::string& bucket) : OssBucketRequest(bucket) {}
    };
}
}
