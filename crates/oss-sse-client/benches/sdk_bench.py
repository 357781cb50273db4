"""The official Python SDKs' side of the client benchmark (`cargo bench -p oss-sse-client --bench vs_python`):
the same workload as our client against the same emulator, through each SDK's public API with its defaults
(V4 signatures, CRC64 checks on). Prints one JSON object.

    python sdk_bench.py --endpoint URL --access-key-id AK --access-key-secret SK --region R \
        --bucket B --file PATH --small-ops N
"""

from __future__ import annotations

import argparse
import json
import os
import time

import alibabacloud_oss_v2 as oss_v2
import oss2
import oss2.credentials

CHUNK = 1024 * 1024


def bench_oss2(a, size: int) -> dict:
    auth = oss2.ProviderAuthV4(oss2.credentials.StaticCredentialsProvider(a.access_key_id, a.access_key_secret))
    bucket = oss2.Bucket(auth, a.endpoint, a.bucket, region=a.region)
    out = {}
    with open(a.file, "rb") as f:
        t = time.perf_counter()
        bucket.put_object("big-oss2", f)
        out["upload_mib_s"] = size / (1 << 20) / (time.perf_counter() - t)
    t = time.perf_counter()
    r = bucket.get_object("big-oss2")
    n = 0
    while True:
        chunk = r.read(CHUNK)
        if not chunk:
            break
        n += len(chunk)
    out["download_mib_s"] = n / (1 << 20) / (time.perf_counter() - t)
    assert n == size
    small = os.urandom(4096)
    t = time.perf_counter()
    for i in range(a.small_ops):
        bucket.put_object(f"small/{i}", small)
    out["put_4k_ops_s"] = a.small_ops / (time.perf_counter() - t)
    t = time.perf_counter()
    for i in range(a.small_ops):
        assert len(bucket.get_object(f"small/{i}").read()) == 4096
    out["get_4k_ops_s"] = a.small_ops / (time.perf_counter() - t)
    return out


def bench_v2(a, size: int) -> dict:
    cfg = oss_v2.config.load_default()
    cfg.credentials_provider = oss_v2.credentials.StaticCredentialsProvider(a.access_key_id, a.access_key_secret)
    cfg.region = a.region
    cfg.endpoint = a.endpoint
    client = oss_v2.Client(cfg)
    out = {}
    with open(a.file, "rb") as f:
        t = time.perf_counter()
        client.put_object(oss_v2.models.PutObjectRequest(bucket=a.bucket, key="big-v2", body=f))
        out["upload_mib_s"] = size / (1 << 20) / (time.perf_counter() - t)
    t = time.perf_counter()
    r = client.get_object(oss_v2.models.GetObjectRequest(bucket=a.bucket, key="big-v2"))
    n = 0
    for chunk in r.body.iter_bytes(block_size=CHUNK):
        n += len(chunk)
    out["download_mib_s"] = n / (1 << 20) / (time.perf_counter() - t)
    assert n == size
    small = os.urandom(4096)
    t = time.perf_counter()
    for i in range(a.small_ops):
        client.put_object(oss_v2.models.PutObjectRequest(bucket=a.bucket, key=f"small-v2/{i}", body=small))
    out["put_4k_ops_s"] = a.small_ops / (time.perf_counter() - t)
    t = time.perf_counter()
    for i in range(a.small_ops):
        r = client.get_object(oss_v2.models.GetObjectRequest(bucket=a.bucket, key=f"small-v2/{i}"))
        assert len(r.body.read()) == 4096
    out["get_4k_ops_s"] = a.small_ops / (time.perf_counter() - t)
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    for name in ("endpoint", "access-key-id", "access-key-secret", "region", "bucket", "file"):
        p.add_argument(f"--{name}", required=True)
    p.add_argument("--small-ops", type=int, default=500)
    a = p.parse_args()
    size = os.path.getsize(a.file)
    print(json.dumps({"oss2": bench_oss2(a, size), "alibabacloud-oss-v2": bench_v2(a, size)}))


if __name__ == "__main__":
    main()
