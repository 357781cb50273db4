// PutObjectRequest.h: uploads an object from a stream, with optional metadata (encryption headers).
#pragma once

#include <iostream>
#include <memory>
#include <string>

#include <alibabacloud/oss/OssRequest.h>
#include <alibabacloud/oss/model/ObjectMetaData.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// Bucket, key, content (read from its current position to the end) and metadata.
    class ALIBABACLOUD_OSS_EXPORT PutObjectRequest : public OssObjectRequest
    {
    public:
        PutObjectRequest(const std::string& bucket, const std::string& key,
                         const std::shared_ptr<std::iostream>& content)
            : OssObjectRequest(bucket, key), content_(content)
        {
        }
        PutObjectRequest(const std::string& bucket, const std::string& key,
                         const std::shared_ptr<std::iostream>& content, const ObjectMetaData& meta)
            : OssObjectRequest(bucket, key), content_(content), metaData_(meta)
        {
        }

        const std::shared_ptr<std::iostream>& Body() const { return content_; }
        ObjectMetaData& MetaData() { return metaData_; }
        const ObjectMetaData& MetaData() const { return metaData_; }
        void setMetaData(const ObjectMetaData& meta) { metaData_ = meta; }
        void setContentType(const std::string& value) { metaData_.setContentType(value); }

    private:
        std::shared_ptr<std::iostream> content_;
        ObjectMetaData metaData_;
    };
}
}
