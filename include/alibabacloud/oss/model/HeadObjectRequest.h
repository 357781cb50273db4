// HeadObjectRequest.h: reads an object's metadata without its content.
#pragma once

#include <alibabacloud/oss/OssRequest.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// Names the object to describe.
    class ALIBABACLOUD_OSS_EXPORT HeadObjectRequest : public OssObjectRequest
    {
    public:
        HeadObjectRequest(const std::string& bucket, const std::string& key) : OssObjectRequest(bucket, key) {}
    };
}
}
