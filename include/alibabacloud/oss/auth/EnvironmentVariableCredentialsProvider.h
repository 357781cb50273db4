// EnvironmentVariableCredentialsProvider.h: credentials from OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET
// and OSS_SESSION_TOKEN, read on every call so a changed environment takes effect at the next request.
#pragma once

#include <cstdlib>
#include <string>

#include <alibabacloud/oss/auth/CredentialsProvider.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// Reads the credentials from the environment.
    class ALIBABACLOUD_OSS_EXPORT EnvironmentVariableCredentialsProvider : public CredentialsProvider
    {
    public:
        EnvironmentVariableCredentialsProvider() {}
        ~EnvironmentVariableCredentialsProvider() {}

        /// The current values; empty strings for unset variables (the request then fails with
        /// "CredentialsError").
        Credentials getCredentials() override
        {
            return Credentials(env("OSS_ACCESS_KEY_ID"), env("OSS_ACCESS_KEY_SECRET"), env("OSS_SESSION_TOKEN"));
        }

    private:
        static std::string env(const char* name)
        {
            const char* value = std::getenv(name);
            return value ? std::string(value) : std::string();
        }
    };
}
}
