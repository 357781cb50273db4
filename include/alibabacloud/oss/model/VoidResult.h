// VoidResult.h: the result of calls that return nothing but success.
#pragma once

#include <alibabacloud/oss/OssResult.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// An empty result.
    class ALIBABACLOUD_OSS_EXPORT VoidResult : public OssResult
    {
    public:
        VoidResult() {}
    };
}
}
