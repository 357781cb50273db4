// CreateBucketRequest.h: creates a bucket (PutBucket).
#pragma once

#include <alibabacloud/oss/OssRequest.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// Names the bucket to create.
    class ALIBABACLOUD_OSS_EXPORT CreateBucketRequest : public OssBucketRequest
    {
    public:
        explicit CreateBucketRequest(const std::string& bucket) : OssBucketRequest(bucket) {}
    };
}
}
