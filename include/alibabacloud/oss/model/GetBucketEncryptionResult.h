// GetBucketEncryptionResult.h: a bucket's default server-side encryption rule.
#pragma once

#include <string>

#include <alibabacloud/oss/OssResult.h>
#include <alibabacloud/oss/Types.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// The rule: algorithm, KMS key id and KMS data encryption (the last an oss-sse addition).
    class ALIBABACLOUD_OSS_EXPORT GetBucketEncryptionResult : public OssResult
    {
    public:
        GetBucketEncryptionResult() : sseAlgorithm_(AlibabaCloud::OSS::SSEAlgorithm::NotSet) {}

        AlibabaCloud::OSS::SSEAlgorithm SSEAlgorithm() const { return sseAlgorithm_; }
        const std::string& KMSMasterKeyID() const { return kmsMasterKeyID_; }
        const std::string& KMSDataEncryption() const { return kmsDataEncryption_; }

        void setSSEAlgorithm(AlibabaCloud::OSS::SSEAlgorithm sse) { sseAlgorithm_ = sse; }
        void setKMSMasterKeyID(const std::string& key) { kmsMasterKeyID_ = key; }
        void setKMSDataEncryption(const std::string& value) { kmsDataEncryption_ = value; }

    private:
        AlibabaCloud::OSS::SSEAlgorithm sseAlgorithm_;
        std::string kmsMasterKeyID_;
        std::string kmsDataEncryption_;
    };
}
}
