// GetBucketInfoResult.h: a bucket's description, its server-side encryption rule included.
#pragma once

#include <string>

#include <alibabacloud/oss/OssResult.h>
#include <alibabacloud/oss/Types.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// What GetBucketInfo reports. SSEAlgorithm() is NotSet when the bucket has no rule.
    class ALIBABACLOUD_OSS_EXPORT GetBucketInfoResult : public OssResult
    {
    public:
        GetBucketInfoResult()
            : storageClass_(AlibabaCloud::OSS::StorageClass::Standard),
              sseAlgorithm_(AlibabaCloud::OSS::SSEAlgorithm::NotSet)
        {
        }

        const std::string& Name() const { return name_; }
        const std::string& Location() const { return location_; }
        const std::string& CreationDate() const { return creationDate_; }
        AlibabaCloud::OSS::StorageClass StorageClass() const { return storageClass_; }
        AlibabaCloud::OSS::SSEAlgorithm SSEAlgorithm() const { return sseAlgorithm_; }
        const std::string& KMSMasterKeyID() const { return kmsMasterKeyID_; }

        void setName(const std::string& name) { name_ = name; }
        void setLocation(const std::string& location) { location_ = location; }
        void setCreationDate(const std::string& date) { creationDate_ = date; }
        void setStorageClass(AlibabaCloud::OSS::StorageClass storageClass) { storageClass_ = storageClass; }
        void setSSEAlgorithm(AlibabaCloud::OSS::SSEAlgorithm sse) { sseAlgorithm_ = sse; }
        void setKMSMasterKeyID(const std::string& key) { kmsMasterKeyID_ = key; }

    private:
        std::string name_;
        std::string location_;
        std::string creationDate_;
        AlibabaCloud::OSS::StorageClass storageClass_;
        AlibabaCloud::OSS::SSEAlgorithm sseAlgorithm_;
        std::string kmsMasterKeyID_;
    };
}
}
