// Global.h: SDK-wide start and stop, as the C++ SDK spells them. oss-sse needs no global set-up (the
// library initializes itself on first use), so these only record state; all three are idempotent and
// thread-safe.
#pragma once

#include <atomic>

#include <alibabacloud/oss/Export.h>

namespace AlibabaCloud
{
namespace OSS
{
    namespace detail
    {
        // One flag shared by every translation unit: an inline function's static is unique program-wide.
        inline std::atomic<bool>& sdkInitializedFlag()
        {
            static std::atomic<bool> flag(false);
            return flag;
        }
    }

    /// Marks the SDK as initialized. Calling it again is harmless.
    inline void InitializeSdk()
    {
        detail::sdkInitializedFlag().store(true);
    }

    /// True between InitializeSdk() and ShutdownSdk().
    inline bool IsSdkInitialized()
    {
        return detail::sdkInitializedFlag().load();
    }

    /// Marks the SDK as shut down. Clients keep working: oss-sse holds no global resources.
    inline void ShutdownSdk()
    {
        detail::sdkInitializedFlag().store(false);
    }
}
}
