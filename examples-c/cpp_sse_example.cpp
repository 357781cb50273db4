// cpp_sse_example.cpp: the three bucket-encryption operations in the style of the OSS C++ SDK, plus an
// SSE-KMS object round trip, against OSS_ENDPOINT (the emulator, or real OSS).
//
//   OSS_ENDPOINT=http://127.0.0.1:PORT OSS_ACCESS_KEY_ID=... OSS_ACCESS_KEY_SECRET=... ./cpp_sse_example [bucket]
//
// Credentials come from a CredentialsProvider subclass of our own that counts how often the client asks
// it: once per request, as the SDK does. Exits 0 only if every step did what it should.
#include <alibabacloud/oss/OssClient.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>

using namespace AlibabaCloud::OSS;

namespace
{
    // Reads the environment like EnvironmentVariableCredentialsProvider, and counts its calls.
    class CountingProvider : public CredentialsProvider
    {
    public:
        CountingProvider() : calls_(0) {}
        Credentials getCredentials() override
        {
            ++calls_;
            return env_.getCredentials();
        }
        long calls() const { return calls_.load(); }

    private:
        EnvironmentVariableCredentialsProvider env_;
        std::atomic<long> calls_;
    };

    // A provider that fails: the exception must not cross into the C library.
    class ThrowingProvider : public CredentialsProvider
    {
    public:
        Credentials getCredentials() override { throw std::runtime_error("no credentials today"); }
    };

    // A retry strategy that counts: the client asks it after every failure.
    class CountingRetry : public RetryStrategy
    {
    public:
        CountingRetry() : asked_(0) {}
        bool shouldRetry(const Error&, long attemptedRetries) const override
        {
            ++asked_;
            return attemptedRetries < 2;
        }
        long calcDealyTimeMs(const Error&, long) const override { return 10; }
        long asked() const { return asked_.load(); }

    private:
        mutable std::atomic<long> asked_;
    };

    // A stream that cannot seek, like a pipe: PutObject must read it into memory first.
    class OneWayBuf : public std::streambuf
    {
    public:
        explicit OneWayBuf(const std::string& data) : data_(data)
        {
            char* begin = &data_[0];
            setg(begin, begin, begin + data_.size());
        }

    private:
        std::string data_;
    };

    int fail(const std::string& what, const OssError& e)
    {
        std::cout << what << " fail"
                  << ",code:" << e.Code() << ",message:" << e.Message() << ",requestId:" << e.RequestId() << std::endl;
        return 1;
    }

    const char* name(SSEAlgorithm a)
    {
        switch (a) {
        case SSEAlgorithm::KMS:
            return "KMS";
        case SSEAlgorithm::AES256:
            return "AES256";
        case SSEAlgorithm::SM4:
            return "SM4";
        default:
            return "NotSet";
        }
    }

    void printHeaders(const std::string& title, const MetaData& headers)
    {
        std::cout << title << ":" << std::endl;
        for (MetaData::const_iterator it = headers.begin(); it != headers.end(); ++it) {
            std::cout << "    " << it->first << ": " << it->second << std::endl;
        }
    }
}

int main(int argc, char** argv)
{
    const char* endpointEnv = std::getenv("OSS_ENDPOINT");
    if (endpointEnv == nullptr || *endpointEnv == '\0') {
        std::cerr << "set OSS_ENDPOINT (for example http://127.0.0.1:9000)" << std::endl;
        return 2;
    }
    std::string Endpoint = endpointEnv;
    std::string BucketName = argc > 1 ? argv[1] : "oss-sse-cpp-example";
    std::string Key = "cpp/hello-kms.txt";
    std::string Body = "Hello from C++: stored encrypted under a KMS data key.\n";

    InitializeSdk();
    ClientConfiguration conf;
    auto provider = std::make_shared<CountingProvider>();
    OssClient client(Endpoint, provider, conf);
    long requests = 0;

    // A bad bucket name is refused before any request, as the SDK does.
    auto invalid = client.SetBucketEncryption(SetBucketEncryptionRequest("Not_A_Bucket"));
    if (invalid.isSuccess() || invalid.error().Code() != "ValidateError") {
        std::cout << "a bad bucket name should give ValidateError, got " << invalid.error().Code() << std::endl;
        return 1;
    }

    auto created = client.CreateBucket(BucketName);
    ++requests;
    if (!created.isSuccess()) {
        return fail("CreateBucket", created.error());
    }

    // The other constructors, and V4 signing with SetRegion (an IP endpoint names no region).
    {
        Credentials envCredentials = EnvironmentVariableCredentialsProvider().getCredentials();
        OssClient byKeys(Endpoint, envCredentials.AccessKeyId(), envCredentials.AccessKeySecret(), conf);
        OssClient byCredentials(Endpoint, envCredentials, conf);
        ClientConfiguration v4conf;
        v4conf.signatureVersion = SignatureVersionType::V4;
        OssClient v4(Endpoint, std::make_shared<SimpleCredentialsProvider>(envCredentials), v4conf);
        v4.SetRegion("cn-hangzhou");
        ClientConfiguration authConf;
        authConf.authVersion = "4.0";
        OssClient byAuthVersion(Endpoint, envCredentials.AccessKeyId(), envCredentials.AccessKeySecret(),
                                envCredentials.SessionToken(), authConf);
        byAuthVersion.SetRegion("cn-hangzhou");
        const OssClient* clients[] = {&byKeys, &byCredentials, &v4, &byAuthVersion};
        const char* names[] = {"OssClient(endpoint, ak, sk, conf)", "OssClient(endpoint, Credentials, conf)",
                               "OssClient(endpoint, provider, conf) signing V4",
                               "OssClient(endpoint, ak, sk, token, conf) with authVersion 4.0"};
        for (int i = 0; i < 4; ++i) {
            auto outcome = clients[i]->GetBucketInfo(BucketName);
            if (!outcome.isSuccess()) {
                return fail(names[i], outcome.error());
            }
            std::cout << names[i] << ": GetBucketInfo ok" << std::endl;
        }
        OssClient throwing(Endpoint, std::make_shared<ThrowingProvider>(), conf);
        auto thrown = throwing.GetBucketInfo(BucketName);
        if (thrown.isSuccess() || thrown.error().Code() != "CredentialsError" ||
            thrown.error().Message().find("no credentials today") == std::string::npos) {
            std::cout << "a throwing provider should give CredentialsError, got " << thrown.error().Code() << std::endl;
            return 1;
        }
        std::cout << "a throwing CredentialsProvider: " << thrown.error().Code() << " (" << thrown.error().Message()
                  << ")" << std::endl;
        // Against a closed port: the configuration's RetryStrategy decides, two retries, then the error.
        ClientConfiguration retrying;
        auto retry = std::make_shared<CountingRetry>();
        retrying.retryStrategy = retry;
        retrying.connectTimeoutMs = 1000;
        auto closedProvider = std::make_shared<CountingProvider>();
        OssClient closed("http://127.0.0.1:1", closedProvider, retrying);
        auto unreachable = closed.GetBucketInfo(BucketName);
        if (unreachable.isSuccess() || unreachable.error().Code() != "TransportError" || retry->asked() != 3 ||
            closedProvider->calls() != 3) {
            std::cout << "a closed port should fail after 2 retries, got " << unreachable.error().Code() << " after "
                      << retry->asked() << " strategy calls" << std::endl;
            return 1;
        }
        std::cout << "a closed port: " << unreachable.error().Code() << " after " << retry->asked()
                  << " attempts, as the RetryStrategy said" << std::endl;
        ClientConfiguration badTrust;
        badTrust.caPath = "/etc/ssl/certs";
        OssClient refused(Endpoint, envCredentials, badTrust);
        if (refused.GetBucketInfo(BucketName).error().Code() != "InvalidArgument") {
            std::cout << "a client with caPath set should refuse every call" << std::endl;
            return 1;
        }
    }

    // Set: KMS with the default service key.
    SetBucketEncryptionRequest setrequest(BucketName);
    setrequest.setSSEAlgorithm(SSEAlgorithm::KMS);
    auto setOutcome = client.SetBucketEncryption(setrequest);
    ++requests;
    if (!setOutcome.isSuccess()) {
        return fail("SetBucketEncryption", setOutcome.error());
    }

    // Get.
    GetBucketEncryptionRequest getrequest(BucketName);
    auto getOutcome = client.GetBucketEncryption(getrequest);
    ++requests;
    if (!getOutcome.isSuccess()) {
        return fail("GetBucketEncryption", getOutcome.error());
    }
    std::cout << "GetBucketEncryption: SSEAlgorithm=" << name(getOutcome.result().SSEAlgorithm())
              << " KMSMasterKeyID=" << getOutcome.result().KMSMasterKeyID() << std::endl;
    if (getOutcome.result().SSEAlgorithm() != SSEAlgorithm::KMS) {
        return 1;
    }

    auto info = client.GetBucketInfo(BucketName);
    ++requests;
    if (!info.isSuccess()) {
        return fail("GetBucketInfo", info.error());
    }
    std::cout << "GetBucketInfo: Name=" << info.result().Name() << " SSEAlgorithm=" << name(info.result().SSEAlgorithm())
              << std::endl;

    // An object with its own SSE-KMS header, read back with HeadObject and GetObject.
    auto content = std::make_shared<std::stringstream>();
    *content << Body;
    ObjectMetaData meta;
    meta.setContentType("text/plain");
    meta.addHeader("x-oss-server-side-encryption", "KMS");
    meta.UserMetaData()["author"] = "examples-c";
    auto put = client.PutObject(BucketName, Key, content, meta);
    ++requests;
    if (!put.isSuccess()) {
        return fail("PutObject", put.error());
    }
    std::cout << "PutObject: ETag=" << put.result().ETag() << std::endl;
    printHeaders("PutObject response", put.result().Metadata().HttpMetaData());

    auto head = client.HeadObject(BucketName, Key);
    ++requests;
    if (!head.isSuccess()) {
        return fail("HeadObject", head.error());
    }
    printHeaders("HeadObject response", head.result().HttpMetaData());
    if (head.result().HttpMetaData()["x-oss-server-side-encryption"] != "KMS" ||
        head.result().UserMetaData()["author"] != "examples-c" ||
        head.result().ContentLength() != static_cast<int64_t>(Body.size())) {
        std::cout << "HeadObject does not show the object as uploaded" << std::endl;
        return 1;
    }

    auto get = client.GetObject(BucketName, Key);
    ++requests;
    if (!get.isSuccess()) {
        return fail("GetObject", get.error());
    }
    std::string downloaded((std::istreambuf_iterator<char>(*get.result().Content())), std::istreambuf_iterator<char>());
    std::cout << "GetObject: " << downloaded.size() << " bytes, x-oss-server-side-encryption="
              << get.result().Metadata().HttpMetaData().at("x-oss-server-side-encryption") << std::endl;
    if (downloaded != Body) {
        std::cout << "GetObject returned other bytes than were uploaded" << std::endl;
        return 1;
    }

    // The same through a stream that cannot seek.
    {
        std::string pipeBody = "sent through a stream without seeking";
        OneWayBuf buf(pipeBody);
        auto pipe = std::make_shared<std::iostream>(&buf);
        auto putPipe = client.PutObject(BucketName, "cpp/pipe.txt", pipe);
        ++requests;
        if (!putPipe.isSuccess()) {
            return fail("PutObject (unseekable stream)", putPipe.error());
        }
        auto getPipe = client.GetObject(BucketName, "cpp/pipe.txt");
        ++requests;
        if (!getPipe.isSuccess()) {
            return fail("GetObject", getPipe.error());
        }
        std::string back((std::istreambuf_iterator<char>(*getPipe.result().Content())),
                         std::istreambuf_iterator<char>());
        auto delPipe = client.DeleteObject(BucketName, "cpp/pipe.txt");
        ++requests;
        if (back != pipeBody || !delPipe.isSuccess()) {
            std::cout << "the unseekable upload did not round-trip" << std::endl;
            return 1;
        }
        std::cout << "PutObject from an unseekable stream: " << back.size() << " bytes round-tripped" << std::endl;
    }

    // Delete, then the rule is gone.
    DeleteBucketEncryptionRequest delrequest(BucketName);
    auto delOutcome = client.DeleteBucketEncryption(delrequest);
    ++requests;
    if (!delOutcome.isSuccess()) {
        return fail("DeleteBucketEncryption", delOutcome.error());
    }
    auto gone = client.GetBucketEncryption(getrequest);
    ++requests;
    if (gone.isSuccess() || gone.error().Code() != "NoSuchServerSideEncryptionRule" || gone.error().Status() != 404) {
        std::cout << "the rule should be gone, got " << gone.error().Code() << std::endl;
        return 1;
    }
    std::cout << "after DeleteBucketEncryption: " << gone.error().Code() << " (" << gone.error().Message() << ")"
              << std::endl;

    auto delObject = client.DeleteObject(BucketName, Key);
    ++requests;
    auto delBucket = client.DeleteBucket(BucketName);
    ++requests;
    if (!delObject.isSuccess() || !delBucket.isSuccess()) {
        return fail("cleanup", delObject.isSuccess() ? delBucket.error() : delObject.error());
    }

    // The provider was asked once per request (none was retried against a healthy endpoint).
    std::cout << "credentials provider calls: " << provider->calls() << " for " << requests << " requests" << std::endl;
    if (provider->calls() != requests) {
        return 1;
    }
    ShutdownSdk();
    std::cout << "cpp_sse_example: all steps succeeded" << std::endl;
    return 0;
}
