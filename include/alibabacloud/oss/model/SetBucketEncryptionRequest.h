// SetBucketEncryptionRequest.h: sets a bucket's default server-side encryption (PutBucketEncryption).
#pragma once

#include <string>

#include <alibabacloud/oss/OssRequest.h>
#include <alibabacloud/oss/Types.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// The rule to set: an algorithm (AES256 unless changed), a KMS key id (KMS only; empty means the
    /// default service key) and a KMS data encryption (`SM4`, KMS only; an oss-sse addition).
    class ALIBABACLOUD_OSS_EXPORT SetBucketEncryptionRequest : public OssBucketRequest
    {
    public:
        SetBucketEncryptionRequest(const std::string& bucket,
                                   AlibabaCloud::OSS::SSEAlgorithm sse = AlibabaCloud::OSS::SSEAlgorithm::AES256,
                                   const std::string& key = "")
            : OssBucketRequest(bucket), sseAlgorithm_(sse), kmsMasterKeyID_(key)
        {
        }

        void setSSEAlgorithm(AlibabaCloud::OSS::SSEAlgorithm sse) { sseAlgorithm_ = sse; }
        void setKMSMasterKeyID(const std::string& key) { kmsMasterKeyID_ = key; }
        void setKMSDataEncryption(const std::string& value) { kmsDataEncryption_ = value; }

        AlibabaCloud::OSS::SSEAlgorithm SSEAlgorithm() const { return sseAlgorithm_; }
        const std::string& KMSMasterKeyID() const { return kmsMasterKeyID_; }
        const std::string& KMSDataEncryption() const { return kmsDataEncryption_; }

    private:
        AlibabaCloud::OSS::SSEAlgorithm sseAlgorithm_;
        std::string kmsMasterKeyID_;
        std::string kmsDataEncryption_;
    };
}
}
