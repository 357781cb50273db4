// GetObjectRequest.h: downloads an object.
#pragma once

#include <alibabacloud/oss/OssRequest.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// Names the object to download.
    class ALIBABACLOUD_OSS_EXPORT GetObjectRequest : public OssObjectRequest
    {
    public:
        GetObjectRequest(const std::string& bucket, const std::string& key) : OssObjectRequest(bucket, key) {}
    };
}
}
