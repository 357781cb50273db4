// Export.h: the C++ SDK's export macro. This layer is header-only, so the macro is empty; it exists so
// code that names it keeps compiling.
#pragma once

#ifndef ALIBABACLOUD_OSS_EXPORT
#define ALIBABACLOUD_OSS_EXPORT
#endif
