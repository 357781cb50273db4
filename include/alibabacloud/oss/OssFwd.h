// OssFwd.h: the Outcome type of every call, as the C++ SDK names them.
#pragma once

#include <iostream>
#include <memory>
#include <string>

#include <alibabacloud/oss/Global.h>
#include <alibabacloud/oss/OssError.h>
#include <alibabacloud/oss/Types.h>
#include <alibabacloud/oss/model/Bucket.h>
#include <alibabacloud/oss/model/CreateBucketRequest.h>
#include <alibabacloud/oss/model/DeleteBucketEncryptionRequest.h>
#include <alibabacloud/oss/model/DeleteBucketRequest.h>
#include <alibabacloud/oss/model/DeleteObjectResult.h>
#include <alibabacloud/oss/model/GetBucketEncryptionRequest.h>
#include <alibabacloud/oss/model/GetBucketEncryptionResult.h>
#include <alibabacloud/oss/model/GetBucketInfoRequest.h>
#include <alibabacloud/oss/model/GetBucketInfoResult.h>
#include <alibabacloud/oss/model/GetObjectRequest.h>
#include <alibabacloud/oss/model/GetObjectResult.h>
#include <alibabacloud/oss/model/HeadObjectRequest.h>
#include <alibabacloud/oss/model/ObjectMetaData.h>
#include <alibabacloud/oss/model/PutObjectRequest.h>
#include <alibabacloud/oss/model/PutObjectResult.h>
#include <alibabacloud/oss/model/SetBucketEncryptionRequest.h>
#include <alibabacloud/oss/model/VoidResult.h>
#include <alibabacloud/oss/utils/Outcome.h>

namespace AlibabaCloud
{
namespace OSS
{
    using VoidOutcome = Outcome<OssError, VoidResult>;
    using CreateBucketOutcome = Outcome<OssError, Bucket>;
    using GetBucketInfoOutcome = Outcome<OssError, GetBucketInfoResult>;
    using GetBucketEncryptionOutcome = Outcome<OssError, GetBucketEncryptionResult>;
    using PutObjectOutcome = Outcome<OssError, PutObjectResult>;
    using GetObjectOutcome = Outcome<OssError, GetObjectResult>;
    using ObjectMetaDataOutcome = Outcome<OssError, ObjectMetaData>;
    using DeleteObjectOutcome = Outcome<OssError, DeleteObjectResult>;
}
}
