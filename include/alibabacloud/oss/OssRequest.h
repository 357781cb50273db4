// OssRequest.h: the bases of requests that name a bucket, or a bucket and an object key.
#pragma once

#include <string>

#include <alibabacloud/oss/Export.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// A request about one bucket.
    class ALIBABACLOUD_OSS_EXPORT OssBucketRequest
    {
    public:
        explicit OssBucketRequest(const std::string& bucket) : bucket_(bucket) {}
        virtual ~OssBucketRequest() {}
        const std::string& Bucket() const { return bucket_; }
        void setBucket(const std::string& bucket) { bucket_ = bucket; }

    private:
        std::string bucket_;
    };

    /// A request about one object.
    class ALIBABACLOUD_OSS_EXPORT OssObjectRequest : public OssBucketRequest
    {
    public:
        OssObjectRequest(const std::string& bucket, const std::string& key) : OssBucketRequest(bucket), key_(key) {}
        const std::string& Key() const { return key_; }
        void setKey(const std::string& key) { key_ = key; }

    private:
        std::string key_;
    };
}
}
