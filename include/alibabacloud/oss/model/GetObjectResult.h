// GetObjectResult.h: a downloaded object: its content as a stream and its metadata.
#pragma once

#include <iostream>
#include <memory>
#include <string>

#include <alibabacloud/oss/OssResult.h>
#include <alibabacloud/oss/model/ObjectMetaData.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// Bucket, key, content and metadata (the response headers).
    class ALIBABACLOUD_OSS_EXPORT GetObjectResult : public OssResult
    {
    public:
        GetObjectResult() {}
        GetObjectResult(const std::string& bucket, const std::string& key,
                        const std::shared_ptr<std::iostream>& content, const ObjectMetaData& meta)
            : bucket_(bucket), key_(key), content_(content), metaData_(meta)
        {
        }

        const std::string& Bucket() const { return bucket_; }
        const std::string& Key() const { return key_; }
        const std::shared_ptr<std::iostream>& Content() const { return content_; }
        const ObjectMetaData& Metadata() const { return metaData_; }

    private:
        std::string bucket_;
        std::string key_;
        std::shared_ptr<std::iostream> content_;
        ObjectMetaData metaData_;
    };
}
}
