// Credentials.h: an access key id, its secret and an optional STS security token.
#pragma once

#include <string>

#include <alibabacloud/oss/Export.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// One set of access keys.
    class ALIBABACLOUD_OSS_EXPORT Credentials
    {
    public:
        Credentials() {}
        Credentials(const std::string& accessKeyId, const std::string& accessKeySecret,
                    const std::string& sessionToken = "")
            : accessKeyId_(accessKeyId), accessKeySecret_(accessKeySecret), sessionToken_(sessionToken)
        {
        }
        ~Credentials() {}

        const std::string& AccessKeyId() const { return accessKeyId_; }
        const std::string& AccessKeySecret() const { return accessKeySecret_; }
        const std::string& SessionToken() const { return sessionToken_; }
        void setAccessKeyId(const std::string& accessKeyId) { accessKeyId_ = accessKeyId; }
        void setAccessKeySecret(const std::string& accessKeySecret) { accessKeySecret_ = accessKeySecret; }
        void setSessionToken(const std::string& sessionToken) { sessionToken_ = sessionToken; }

    private:
        std::string accessKeyId_;
        std::string accessKeySecret_;
        std::string sessionToken_;
    };
}
}
