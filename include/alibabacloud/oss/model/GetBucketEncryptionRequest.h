// GetBucketEncryptionRequest.h: reads a bucket's default server-side encryption.
#pragma once

#include <alibabacloud/oss/OssRequest.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// Names the bucket whose rule to read.
    class ALIBABACLOUD_OSS_EXPORT GetBucketEncryptionRequest : public OssBucketRequest
    {
    public:
        explicit GetBucketEncryptionRequest(const std::string& bucket) : OssBucketRequest(bucket) {}
    };
}
}
