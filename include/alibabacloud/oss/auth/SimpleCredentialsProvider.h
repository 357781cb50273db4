// SimpleCredentialsProvider.h: a provider of fixed credentials.
#pragma once

#include <string>

#include <alibabacloud/oss/auth/CredentialsProvider.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// Always returns the same credentials.
    class ALIBABACLOUD_OSS_EXPORT SimpleCredentialsProvider : public CredentialsProvider
    {
    public:
        explicit SimpleCredentialsProvider(const Credentials& credentials) : credentials_(credentials) {}
        SimpleCredentialsProvider(const std::string& accessKeyId, const std::string& accessKeySecret,
                                  const std::string& securityToken = "")
            : credentials_(accessKeyId, accessKeySecret, securityToken)
        {
        }
        ~SimpleCredentialsProvider() {}

        Credentials getCredentials() override { return credentials_; }

    private:
        Credentials credentials_;
    };
}
}
