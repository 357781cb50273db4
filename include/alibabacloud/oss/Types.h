// Types.h: the enums and map types the C++ SDK's public API uses.
#pragma once

#include <cctype>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <alibabacloud/oss/Export.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// Storage classes of buckets and objects.
    enum StorageClass
    {
        Standard,
        IA,
        Archive,
        ColdArchive
    };

    /// Canned ACLs.
    enum CannedAccessControlList
    {
        Private = 0,
        PublicRead,
        PublicReadWrite,
        Default
    };

    /// Server-side encryption algorithms. The values are the SDK's; SM4 is an oss-sse addition.
    enum class SSEAlgorithm
    {
        NotSet = 0,
        KMS,
        AES256,
        SM4
    };

    /// Signature versions.
    enum class SignatureVersionType
    {
        V1,
        V4
    };

    /// Case-sensitive string ordering.
    struct ALIBABACLOUD_OSS_EXPORT caseSensitiveLess
    {
        bool operator()(const std::string& lhs, const std::string& rhs) const
        {
            return lhs < rhs;
        }
    };

    /// Case-insensitive (ASCII) string ordering, for header names.
    struct ALIBABACLOUD_OSS_EXPORT caseInsensitiveLess
    {
        bool operator()(const std::string& lhs, const std::string& rhs) const
        {
            std::string::size_type n = lhs.size() < rhs.size() ? lhs.size() : rhs.size();
            for (std::string::size_type i = 0; i < n; ++i) {
                int a = std::tolower(static_cast<unsigned char>(lhs[i]));
                int b = std::tolower(static_cast<unsigned char>(rhs[i]));
                if (a != b) {
                    return a < b;
                }
            }
            return lhs.size() < rhs.size();
        }
    };

    using MetaData = std::map<std::string, std::string, caseInsensitiveLess>;
    using HeaderCollection = std::map<std::string, std::string, caseInsensitiveLess>;
    using ParameterCollection = std::map<std::string, std::string, caseSensitiveLess>;
}
}
