// RetryStrategy.h: when and how long to wait before repeating a failed request. OssClient asks the
// configuration's strategy after every failure (the names, typo included, are the C++ SDK's).
#pragma once

#include <alibabacloud/oss/client/Error.h>

namespace AlibabaCloud
{
namespace OSS
{
    /// Decides about retries.
    class ALIBABACLOUD_OSS_EXPORT RetryStrategy
    {
    public:
        virtual ~RetryStrategy() {}
        /// True to repeat the request after `error`, having already retried `attemptedRetries` times.
        virtual bool shouldRetry(const Error& error, long attemptedRetries) const = 0;
        /// How long to wait before the next attempt, in milliseconds.
        virtual long calcDealyTimeMs(const Error& error, long attemptedRetries) const = 0;
    };

    /// Retries transport failures, timeouts, HTTP 5xx and 429 up to `maxRetries` times, waiting
    /// `scaleFactor * 2^attempt` ms in between.
    class ALIBABACLOUD_OSS_EXPORT DefaultRetryStrategy : public RetryStrategy
    {
    public:
        DefaultRetryStrategy(long maxRetries = 3, long scaleFactor = 300)
            : maxRetries_(maxRetries), scaleFactor_(scaleFactor)
        {
        }

        bool shouldRetry(const Error& error, long attemptedRetries) const override
        {
            if (attemptedRetries >= maxRetries_) {
                return false;
            }
            long status = error.Status();
            if (status == 0) {
                // No response: the connection failed or timed out. A local rejection is final.
                return error.Code() == "TransportError" || error.Code() == "Timeout";
            }
            return status >= 500 || status == 429;
        }

        long calcDealyTimeMs(const Error&, long attemptedRetries) const override
        {
            long shift = attemptedRetries < 10 ? attemptedRetries : 10;
            return (1L << shift) * scaleFactor_;
        }

        /// The largest number of retries.
        long maxRetries() const { return maxRetries_; }

    private:
        long maxRetries_;
        long scaleFactor_;
    };
}
}
