// CredentialsProvider.h: the source of credentials an OssClient asks before every request. Subclass it
// to refresh keys (STS); getCredentials() may be called from several threads at once when a client is
// shared, and an exception it throws fails that request with code "CredentialsError".
#pragma once

#include <alibabacloud/oss/auth/Credentials.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// A source of credentials.
    class ALIBABACLOUD_OSS_EXPORT CredentialsProvider
    {
    public:
        CredentialsProvider() = default;
        virtual ~CredentialsProvider() = default;
        /// The credentials to sign the next request with.
        virtual Credentials getCredentials() = 0;
    };
}
}
