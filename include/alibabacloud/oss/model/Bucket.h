// Bucket.h: a bucket as CreateBucket returns it.
#pragma once

#include <string>

#include <alibabacloud/oss/OssResult.h>
#include <alibabacloud/oss/Types.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// A bucket's name, region, creation date and storage class.
    class ALIBABACLOUD_OSS_EXPORT Bucket : public OssResult
    {
    public:
        Bucket() : storageClass_(AlibabaCloud::OSS::StorageClass::Standard) {}

        const std::string& Name() const { return name_; }
        const std::string& Location() const { return location_; }
        const std::string& CreationDate() const { return creationDate_; }
        AlibabaCloud::OSS::StorageClass StorageClass() const { return storageClass_; }

        void setName(const std::string& name) { name_ = name; }
        void setLocation(const std::string& location) { location_ = location; }
        void setCreationDate(const std::string& date) { creationDate_ = date; }
        void setStorageClass(AlibabaCloud::OSS::StorageClass storageClass) { storageClass_ = storageClass; }

    private:
        std::string name_;
        std::string location_;
        std::string creationDate_;
        AlibabaCloud::OSS::StorageClass storageClass_;
    };
}
}
