"""Times the official OSS Python SDKs' header signers on the request the Rust criterion bench signs.

The request (a typical PutObject): PUT, bucket `examplebucket`, key `path/to/object.bin`, Content-Type
application/octet-stream, Content-MD5, two x-oss-meta-* headers, x-oss-server-side-encryption: KMS; V4 in
region cn-hangzhou. Each signer is timed as an application uses it: the same request object signed again
and again at the current time (the SDKs read the clock and, for V4, derive the signing key on every call).

Prints one JSON object: microseconds per signature (best of several rounds, and the median), per SDK and
version. Run: `.venv/bin/python tests/python/bench_sdk_signer.py [--iterations N] [--rounds R]`.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time

import alibabacloud_oss_v2 as oss_v2
import oss2
import oss2.credentials
import oss2.http
from alibabacloud_oss_v2.signer import SignerV1, SignerV4
from alibabacloud_oss_v2.types import HttpRequest, SigningContext

AK, SK = "LTAI5tExampleAccessKey01", "ExampleSecretKeyExampleSecretKey01"
BUCKET, KEY, REGION = "examplebucket", "path/to/object.bin", "cn-hangzhou"
HEADERS = {
    "Content-Type": "application/octet-stream",
    "Content-MD5": "eB5eJF1ptWaXm4bijSPyxw==",
    "x-oss-meta-author": "alice",
    "x-oss-meta-project": "oss-sse",
    "x-oss-server-side-encryption": "KMS",
}


def oss2_signer(version: int):
    """A zero-argument callable that signs the request once with oss2."""
    if version == 1:
        auth = oss2.Auth(AK, SK)
    else:
        auth = oss2.ProviderAuthV4(oss2.credentials.StaticCredentialsProvider(AK, SK))
    req = oss2.http.Request("PUT", f"https://{BUCKET}.oss-{REGION}.aliyuncs.com/{KEY}",
                            headers=dict(HEADERS), region=REGION, product="oss")

    def sign():
        auth._sign_request(req, BUCKET, KEY)
        return req.headers["authorization"]

    return sign


def v2_signer(version: int):
    """A zero-argument callable that signs the request once with alibabacloud-oss-v2."""
    req = HttpRequest("PUT", f"https://{BUCKET}.oss-{REGION}.aliyuncs.com/{KEY}", headers=dict(HEADERS))
    ctx = SigningContext(product="oss", region=REGION, bucket=BUCKET, key=KEY, request=req,
                         credentials=oss_v2.credentials.Credentials(AK, SK))
    signer = SignerV1() if version == 1 else SignerV4()

    def sign():
        ctx.signing_time = None  # sign at "now", as the client does for each request
        signer.sign(ctx)
        return req.headers["Authorization"]

    return sign


def time_us(fn, iterations: int, rounds: int):
    """(best, median) microseconds per call over `rounds` rounds of `iterations` calls."""
    for _ in range(min(iterations, 1000)):
        fn()  # warm up
    per_call = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(iterations):
            fn()
        per_call.append((time.perf_counter() - start) / iterations * 1e6)
    return min(per_call), statistics.median(per_call)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    signers = {
        "oss2_v1_header": oss2_signer(1),
        "oss2_v4_header": oss2_signer(4),
        "alibabacloud_oss_v2_v1_header": v2_signer(1),
        "alibabacloud_oss_v2_v4_header": v2_signer(4),
    }
    results = {}
    for name, fn in signers.items():
        assert fn().startswith("OSS"), name
        best, median = time_us(fn, args.iterations, args.rounds)
        results[name] = {"us_per_signature_best": round(best, 3), "us_per_signature_median": round(median, 3)}
    report = {
        "request": {"method": "PUT", "bucket": BUCKET, "key": KEY, "region": REGION, "headers": sorted(HEADERS)},
        "python": platform.python_version(),
        "oss2": oss2.__version__,
        "alibabacloud_oss_v2": oss_v2.__version__,
        "iterations": args.iterations,
        "rounds": args.rounds,
        "results": results,
    }
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
