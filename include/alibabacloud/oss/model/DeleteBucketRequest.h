// DeleteBucketRequest.h: deletes an empty bucket.
#pragma once

#include <alibabacloud/oss/OssRequest.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// Names the bucket to delete.
    class ALIBABACLOUD_OSS_EXPORT DeleteBucketRequest : public OssBucketRequest
    {
    public:
        explicit DeleteBucketRequest(const std::string& bucket) : OssBucketRequest(bucket) {}
    };
}
}
