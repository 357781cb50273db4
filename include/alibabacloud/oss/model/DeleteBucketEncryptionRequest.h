// DeleteBucketEncryptionRequest.h: removes a bucket's default server-side encryption.
#pragma once

#include <alibabacloud/oss/OssRequest.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// Names the bucket whose rule to delete.
    class ALIBABACLOUD_OSS_EXPORT DeleteBucketEncryptionRequest : public OssBucketRequest
    {
    public:
        explicit DeleteBucketEncryptionRequest(const std::string& bucket) : OssBucketRequest(bucket) {}
    };
}
}
