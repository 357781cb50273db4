// ObjectMetaData.h: an object's HTTP headers (Content-Type, ETag, x-oss-server-side-encryption, ...) and
// its user metadata (x-oss-meta-*, stored here without the prefix).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

#include <alibabacloud/oss/Types.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// Headers of an upload request, or of a download or HEAD response.
    class ALIBABACLOUD_OSS_EXPORT ObjectMetaData
    {
    public:
        ObjectMetaData() = default;
        /// Sorts response headers: `x-oss-meta-*` into UserMetaData() (prefix removed), the rest into
        /// HttpMetaData().
        ObjectMetaData(const HeaderCollection& data) { *this = data; }
        ObjectMetaData& operator=(const HeaderCollection& data)
        {
            static const std::string prefix = "x-oss-meta-";
            metaData_.clear();
            userMetaData_.clear();
            for (HeaderCollection::const_iterator it = data.begin(); it != data.end(); ++it) {
                if (it->first.size() > prefix.size() && caseInsensitiveEqualPrefix(it->first, prefix)) {
                    userMetaData_[it->first.substr(prefix.size())] = it->second;
                } else {
                    metaData_[it->first] = it->second;
                }
            }
            return *this;
        }

        const std::string& LastModified() const { return get("Last-Modified"); }
        const std::string& ExpirationTime() const { return get("Expires"); }
        int64_t ContentLength() const
        {
            const std::string& v = get("Content-Length");
            return v.empty() ? -1 : static_cast<int64_t>(std::strtoll(v.c_str(), nullptr, 10));
        }
        const std::string& ContentType() const { return get("Content-Type"); }
        const std::string& ContentEncoding() const { return get("Content-Encoding"); }
        const std::string& CacheControl() const { return get("Cache-Control"); }
        const std::string& ContentDisposition() const { return get("Content-Disposition"); }
        const std::string& ETag() const { return get("ETag"); }
        const std::string& ContentMd5() const { return get("Content-MD5"); }
        const std::string& ObjectType() const { return get("x-oss-object-type"); }
        uint64_t CRC64() const
        {
            const std::string& v = get("x-oss-hash-crc64ecma");
            return v.empty() ? 0 : static_cast<uint64_t>(std::strtoull(v.c_str(), nullptr, 10));
        }

        void setExpirationTime(const std::string& value) { metaData_["Expires"] = value; }
        void setContentLength(int64_t value) { metaData_["Content-Length"] = std::to_string(value); }
        void setContentType(const std::string& value) { metaData_["Content-Type"] = value; }
        void setContentEncoding(const std::string& value) { metaData_["Content-Encoding"] = value; }
        void setCacheControl(const std::string& value) { metaData_["Cache-Control"] = value; }
        void setContentDisposition(const std::string& value) { metaData_["Content-Disposition"] = value; }
        void setETag(const std::string& value) { metaData_["ETag"] = value; }
        void setContentMd5(const std::string& value) { metaData_["Content-MD5"] = value; }
        void setCrc64(uint64_t value) { metaData_["x-oss-hash-crc64ecma"] = std::to_string(value); }
        /// Adds a request header, for example `x-oss-server-side-encryption: KMS`.
        void addHeader(const std::string& key, const std::string& value) { metaData_[key] = value; }

        MetaData& HttpMetaData() { return metaData_; }
        MetaData& UserMetaData() { return userMetaData_; }
        const MetaData& HttpMetaData() const { return metaData_; }
        const MetaData& UserMetaData() const { return userMetaData_; }

    private:
        const std::string& get(const char* name) const
        {
            static const std::string empty;
            MetaData::const_iterator it = metaData_.find(name);
            return it == metaData_.end() ? empty : it->second;
        }

        static bool caseInsensitiveEqualPrefix(const std::string& s, const std::string& lowerPrefix)
        {
            for (std::string::size_type i = 0; i < lowerPrefix.size(); ++i) {
                if (std::tolower(static_cast<unsigned char>(s[i])) != lowerPrefix[i]) {
                    return false;
                }
            }
            return true;
        }

        MetaData userMetaData_;
        MetaData metaData_;
    };
}
}
