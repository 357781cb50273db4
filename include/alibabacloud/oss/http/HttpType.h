// HttpType.h: HTTP schemes, as ClientConfiguration names them.
#pragma once

namespace AlibabaCloud
{
namespace OSS
{
namespace Http
{
    /// URL schemes.
    enum Scheme
    {
        HTTP,
        HTTPS
    };
}
}
}
