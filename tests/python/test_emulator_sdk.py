"""End-to-end: the official OSS Python SDKs drive `oss-sse serve` as they would real OSS.

Every test runs once per client kind (conftest `client`): oss2 with signature V1, oss2 with V4, and
alibabacloud-oss-v2 with V4, all on the emulator's IP endpoint (path-style addressing), with the SDKs'
default CRC64 checks on. Expected outcomes are OSS's, as ../shared/REFERENCE.md (sections 1-3) and issue 4
state them: status codes and error codes are asserted, not just "it failed".
"""

from __future__ import annotations

import email.utils
import hashlib
import os
import re
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit

import pytest

from conftest import new_bucket_name, start_emulator, stop_emulator
from sdk_clients import (REQUEST_ID, Oss2Client, ServiceError, Sse, V2Client, content_md5, crc64, expect_error,
                         make_client)
from signing_oracle import frozen_oss2_clock

MIB = 1024 * 1024

KEYS = ["plain.txt", "dir/sub/file.bin", "with space.txt", "plus+sign", "percent%20literal", "tilde~x",
        "中文/文件 名.txt", "emoji-😀", "a=b&c", "semi;colon", "trailing/"]


def sse_headers(headers) -> Sse:
    """The encryption headers of a response."""
    return Sse(headers.get("x-oss-server-side-encryption"), headers.get("x-oss-server-side-encryption-key-id"),
               headers.get("x-oss-server-side-data-encryption"))


def etag_of(data: bytes) -> str:
    return hashlib.md5(data).hexdigest().upper()


def assert_etag(headers, data: bytes) -> None:
    etag = headers.get("ETag", "")
    assert etag.startswith('"') and etag.endswith('"'), f"ETag {etag!r} is not quoted"
    assert etag.strip('"').upper() == etag_of(data)


def assert_crc(headers, data: bytes) -> None:
    assert headers.get("x-oss-hash-crc64ecma") == str(crc64(data))


# ---------------------------------------------------------------------------------------------------------
# Buckets


def test_create_list_delete_bucket(client):
    name = new_bucket_name(client.name)
    r = client.create_bucket(name)
    assert r.status == 200
    assert REQUEST_ID.match(r.headers.get("x-oss-request-id", ""))
    assert r.headers.get("Date") and r.headers.get("Server")
    assert name in client.list_buckets()
    client.put_object(name, "k", b"x")
    with pytest.raises(ServiceError) as exc:
        client.delete_bucket(name)
    expect_error(exc, 409, "BucketNotEmpty")
    client.delete_object(name, "k")
    assert client.delete_bucket(name).status == 204
    assert name not in client.list_buckets()
    with pytest.raises(ServiceError) as exc:
        client.get_bucket_encryption(name)
    expect_error(exc, 404, "NoSuchBucket")


# ---------------------------------------------------------------------------------------------------------
# Bucket encryption (REFERENCE.md section 1)

# (rule put, rule GET returns)
VALID_RULES = [
    (Sse("AES256"), Sse("AES256")),
    (Sse("SM4"), Sse("SM4")),
    (Sse("KMS"), Sse("KMS")),
    # Any key id is accepted at Put time (it is checked when an object is written).
    (Sse("KMS", "9468da86-3509-4f8d-a61e-6eab1eac0001"), Sse("KMS", "9468da86-3509-4f8d-a61e-6eab1eac0001")),
    (Sse("KMS", None, "SM4"), Sse("KMS", None, "SM4")),
    (Sse("KMS", "some-key-id", "SM4"), Sse("KMS", "some-key-id", "SM4")),
    # KMSDataEncryption with AES256 / SM4 is accepted and dropped.
    (Sse("AES256", None, "SM4"), Sse("AES256")),
    (Sse("SM4", None, "SM4"), Sse("SM4")),
]

INVALID_RULES = [
    (Sse("AES128"), "InvalidEncryptionAlgorithmError"),
    (Sse("DES"), "InvalidEncryptionAlgorithmError"),
    (Sse("RSA", None, "SM4"), "InvalidEncryptionAlgorithmError"),
    (Sse("AES256", "9468da86-3509-4f8d-a61e-6eab1eac0001"), "InvalidArgument"),
    (Sse("SM4", "some-key-id"), "InvalidArgument"),
    (Sse("KMS", None, "AES256"), "InvalidArgument"),
    (Sse("KMS", "some-key-id", "SM2"), "InvalidArgument"),
]


def _rule_id(r):
    return "-".join(x or "none" for x in (r.algorithm, r.key_id and "id", r.data_encryption))


@pytest.mark.parametrize("rule,expected", VALID_RULES, ids=[_rule_id(r) for r, _ in VALID_RULES])
def test_bucket_encryption_valid(client, bucket, rule, expected):
    with pytest.raises(ServiceError) as exc:
        client.get_bucket_encryption(bucket)
    e = expect_error(exc, 404, "NoSuchServerSideEncryptionRule")
    assert e.message == "The server side encryption configuration was not found"

    assert client.put_bucket_encryption(bucket, rule).status == 200
    assert client.get_bucket_encryption(bucket) == expected
    assert client.bucket_info_encryption(bucket) == Sse(expected.algorithm, expected.key_id)

    assert client.delete_bucket_encryption(bucket).status == 204
    with pytest.raises(ServiceError) as exc:
        client.get_bucket_encryption(bucket)
    expect_error(exc, 404, "NoSuchServerSideEncryptionRule")
    assert client.bucket_info_encryption(bucket) == Sse(None)  # GetBucketInfo reports "None"


@pytest.mark.parametrize("rule,code", INVALID_RULES, ids=[_rule_id(r) for r, _ in INVALID_RULES])
def test_bucket_encryption_invalid(client, bucket, rule, code):
    with pytest.raises(ServiceError) as exc:
        client.put_bucket_encryption(bucket, rule)
    expect_error(exc, 400, code)
    with pytest.raises(ServiceError) as exc:
        client.get_bucket_encryption(bucket)
    expect_error(exc, 404, "NoSuchServerSideEncryptionRule")


def test_bucket_encryption_invalid_keeps_previous_rule(client, bucket):
    client.put_bucket_encryption(bucket, Sse("KMS", None, "SM4"))
    with pytest.raises(ServiceError) as exc:
        client.put_bucket_encryption(bucket, Sse("AES256", "k"))
    expect_error(exc, 400, "InvalidArgument")
    assert client.get_bucket_encryption(bucket) == Sse("KMS", None, "SM4")
    client.put_bucket_encryption(bucket, Sse("SM4"))  # a new rule replaces the old one
    assert client.get_bucket_encryption(bucket) == Sse("SM4")


def test_bucket_encryption_no_such_bucket(client):
    missing = new_bucket_name("missing")
    for call in (lambda: client.put_bucket_encryption(missing, Sse("AES256")),
                 lambda: client.get_bucket_encryption(missing),
                 lambda: client.delete_bucket_encryption(missing)):
        with pytest.raises(ServiceError) as exc:
            call()
        expect_error(exc, 404, "NoSuchBucket")


XML_DECL = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# Bodies as different clients write them (REFERENCE.md: with or without a declaration, an empty
# KMSMasterKeyID meaning absent, whitespace and newlines between elements), with the rule they mean.
RAW_XML_BODIES = [
    (XML_DECL + b"<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256"
     b"</SSEAlgorithm></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>", Sse("AES256")),
    (b"<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>SM4</SSEAlgorithm>"
     b"</ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>", Sse("SM4")),
    (XML_DECL + b"<ServerSideEncryptionRule>\n  <ApplyServerSideEncryptionByDefault>\n    <SSEAlgorithm>KMS"
     b"</SSEAlgorithm>\n    <KMSMasterKeyID></KMSMasterKeyID>\n  </ApplyServerSideEncryptionByDefault>\n"
     b"</ServerSideEncryptionRule>\n", Sse("KMS")),
    (b"<ServerSideEncryptionRule>\r\n\t<ApplyServerSideEncryptionByDefault>\r\n\t\t<SSEAlgorithm>AES256"
     b"</SSEAlgorithm>\r\n\t\t<KMSMasterKeyID></KMSMasterKeyID>\r\n\t</ApplyServerSideEncryptionByDefault>"
     b"\r\n</ServerSideEncryptionRule>", Sse("AES256")),
    (XML_DECL + b"<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS"
     b"</SSEAlgorithm><KMSMasterKeyID>9468da86-3509-4f8d-a61e-6eab1eac****</KMSMasterKeyID>"
     b"<KMSDataEncryption>SM4</KMSDataEncryption></ApplyServerSideEncryptionByDefault>"
     b"</ServerSideEncryptionRule>", Sse("KMS", "9468da86-3509-4f8d-a61e-6eab1eac****", "SM4")),
]


@pytest.fixture
def v2(emulator):
    """alibabacloud-oss-v2 (V4), for the calls only its generic `invoke_operation` can make."""
    return V2Client(emulator.endpoint, emulator.access_key_id, emulator.access_key_secret)


@pytest.mark.parametrize("body,expected", RAW_XML_BODIES, ids=["decl", "nodecl", "ws-emptyid", "crlf-tabs", "full"])
def test_bucket_encryption_xml_shapes(v2, body, expected):
    b = new_bucket_name("xml")
    v2.create_bucket(b)
    assert v2.put_bucket_encryption_xml(b, body).status == 200
    assert v2.get_bucket_encryption(b) == expected


@pytest.mark.parametrize("body", [
    b"<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256",
    b"not xml at all",
    b"<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
    b"</ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>" + b" " * (64 * 1024),
], ids=["truncated", "garbage", "over-64k"])
def test_bucket_encryption_malformed_xml(v2, body):
    b = new_bucket_name("bad-xml")
    v2.create_bucket(b)
    with pytest.raises(ServiceError) as exc:
        v2.put_bucket_encryption_xml(b, body)
    expect_error(exc, 400, "MalformedXML")


# ---------------------------------------------------------------------------------------------------------
# Objects


@pytest.mark.parametrize("key", KEYS)
def test_put_get_head_delete(client, bucket, key):
    data = os.urandom(4096) + key.encode()
    put = client.put_object(bucket, key, data, content_type="application/x-test",
                            metadata={"author": "alice", "magic": "abra cadabra"})
    assert put.status == 200
    assert_etag(put.headers, data)
    assert_crc(put.headers, data)

    got = client.get_object(bucket, key)
    assert got.status == 200 and got.body == data
    assert got.headers.get("Content-Type") == "application/x-test"
    assert got.headers.get("x-oss-meta-author") == "alice"
    assert got.headers.get("x-oss-meta-magic") == "abra cadabra"
    assert_etag(got.headers, data)
    assert_crc(got.headers, data)

    head = client.head_object(bucket, key)
    assert head.status == 200
    assert int(head.headers.get("Content-Length")) == len(data)
    assert_etag(head.headers, data)
    assert_crc(head.headers, data)
    assert head.headers.get("x-oss-meta-author") == "alice"
    assert head.headers.get("Last-Modified")

    assert client.delete_object(bucket, key).status == 204
    with pytest.raises(ServiceError) as exc:
        client.get_object(bucket, key)
    expect_error(exc, 404, "NoSuchKey")
    with pytest.raises(ServiceError) as exc:
        client.head_object(bucket, key)
    expect_error(exc, 404, "NoSuchKey")  # HEAD: the SDKs decode the x-oss-err header
    assert client.delete_object(bucket, key).status == 204  # deleting a missing key succeeds


def test_empty_object_and_overwrite(client, bucket):
    client.put_object(bucket, "empty", b"")
    got = client.get_object(bucket, "empty")
    assert got.body == b"" and got.headers.get("x-oss-hash-crc64ecma") == "0"
    client.put_object(bucket, "empty", b"now with content")
    assert client.get_object(bucket, "empty").body == b"now with content"


def test_get_missing_bucket_and_key(client, bucket):
    with pytest.raises(ServiceError) as exc:
        client.get_object(bucket, "no-such-key")
    expect_error(exc, 404, "NoSuchKey")
    with pytest.raises(ServiceError) as exc:
        client.get_object(new_bucket_name("nobucket"), "k")
    expect_error(exc, 404, "NoSuchBucket")


@pytest.mark.parametrize("start,end", [(0, 0), (10, 99), (990, 999), (0, 999), (500, 5000)])
def test_ranged_get(client, bucket, start, end):
    data = os.urandom(1000)
    client.put_object(bucket, "ranged", data)
    got = client.get_object(bucket, "ranged", byte_range=(start, end))
    last = min(end, len(data) - 1)
    assert got.status == 206
    assert got.body == data[start:last + 1]
    assert got.headers.get("Content-Range") == f"bytes {start}-{last}/{len(data)}"


def test_conditional_get(client, bucket):
    data = b"conditional body"
    client.put_object(bucket, "cond", data)
    etag = client.head_object(bucket, "cond").headers["ETag"]
    past = email.utils.formatdate(time.time() - 86400 * 365, usegmt=True)
    future = email.utils.formatdate(time.time() + 86400 * 365, usegmt=True)

    assert client.get_object(bucket, "cond", if_match=etag).body == data
    assert client.get_object(bucket, "cond", if_none_match='"0123456789ABCDEF0123456789ABCDEF"').body == data
    assert client.get_object(bucket, "cond", if_modified_since=past).body == data
    assert client.get_object(bucket, "cond", if_unmodified_since=future).body == data

    with pytest.raises(ServiceError) as exc:
        client.get_object(bucket, "cond", if_match='"0123456789ABCDEF0123456789ABCDEF"')
    expect_error(exc, 412, "PreconditionFailed")
    with pytest.raises(ServiceError) as exc:
        client.get_object(bucket, "cond", if_unmodified_since=past)
    expect_error(exc, 412, "PreconditionFailed")
    with pytest.raises(ServiceError) as exc:
        client.get_object(bucket, "cond", if_none_match=etag)
    expect_error(exc, 304)
    with pytest.raises(ServiceError) as exc:
        client.get_object(bucket, "cond", if_modified_since=future)
    expect_error(exc, 304)


def test_copy_object(client, bucket):
    data = os.urandom(2048)
    client.put_object(bucket, "src/obj", data, content_type="text/x-src", metadata={"origin": "src"})
    other = new_bucket_name(client.name + "-dst")
    client.create_bucket(other)

    r = client.copy_object(bucket, "copy/same-bucket", bucket, "src/obj")
    assert r.status == 200
    got = client.get_object(bucket, "copy/same-bucket")
    assert got.body == data
    assert got.headers.get("x-oss-meta-origin") == "src"  # COPY is the default metadata directive
    assert got.headers.get("Content-Type") == "text/x-src"
    assert_etag(got.headers, data)
    assert_crc(got.headers, data)

    client.copy_object(other, "copy/other bucket 中", bucket, "src/obj", metadata_directive="REPLACE",
                       metadata={"origin": "replaced"})
    got = client.get_object(other, "copy/other bucket 中")
    assert got.body == data
    assert got.headers.get("x-oss-meta-origin") == "replaced"

    with pytest.raises(ServiceError) as exc:
        client.copy_object(bucket, "copy/none", bucket, "src/missing")
    expect_error(exc, 404, "NoSuchKey")


LIST_KEYS = sorted(["a/1", "a/2", "a/b/3", "a/b/c/4", "b/1", "c", "d/中文 x", "d/y+z", "e%2F", "f"])


@pytest.fixture
def listed_bucket(client, bucket):
    for k in LIST_KEYS:
        client.put_object(bucket, k, k.encode())
    return bucket


@pytest.mark.parametrize("version", [1, 2], ids=["listv1", "listv2"])
@pytest.mark.parametrize("prefix,delimiter,keys,prefixes", [
    ("", "", LIST_KEYS, []),
    ("a/", "", ["a/1", "a/2", "a/b/3", "a/b/c/4"], []),
    ("a/", "/", ["a/1", "a/2"], ["a/b/"]),
    ("", "/", ["c", "e%2F", "f"], ["a/", "b/", "d/"]),
    ("d/", "/", ["d/y+z", "d/中文 x"], []),
    # A space in a query value: oss2 (through requests) sends it as '+', which OSS reads as a space.
    ("d/中文 ", "", ["d/中文 x"], []),
    ("d/y+", "", ["d/y+z"], []),
    ("a/b", "/", [], ["a/b/"]),
    ("zzz", "", [], []),
], ids=["all", "prefix", "prefix-delim", "delim", "unicode", "space", "plus", "partial", "none"])
def test_list_objects(client, listed_bucket, version, prefix, delimiter, keys, prefixes):
    lister = client.list_objects if version == 1 else client.list_objects_v2
    r = lister(listed_bucket, prefix=prefix, delimiter=delimiter)
    assert r.keys == sorted(keys)
    assert r.prefixes == sorted(prefixes)
    assert not r.truncated


@pytest.mark.parametrize("version", [1, 2], ids=["listv1", "listv2"])
def test_list_objects_pages(client, listed_bucket, version):
    seen, marker = [], ""
    for _ in range(len(LIST_KEYS) + 2):
        if version == 1:
            r = client.list_objects(listed_bucket, marker=marker, max_keys=3)
        else:
            r = client.list_objects_v2(listed_bucket, token=marker, max_keys=3)
        assert len(r.keys) <= 3
        seen += r.keys
        if not r.truncated:
            break
        assert r.next_marker
        marker = r.next_marker
    assert seen == LIST_KEYS


def test_list_objects_v2_start_after(client, listed_bucket):
    r = client.list_objects_v2(listed_bucket, start_after="b/1")
    assert r.keys == [k for k in LIST_KEYS if k > "b/1"]


def _parts(total: int, part_size: int):
    data = os.urandom(total)
    return data, [data[i:i + part_size] for i in range(0, total, part_size)]


def test_multipart_upload_50mib(client, bucket):
    data, parts = _parts(50 * MIB, 5 * MIB)
    init, uploaded, done = client.multipart_upload(bucket, "big/50mib.bin", parts)
    assert init.status == 200 and all(p.status == 200 for p in uploaded) and done.status == 200
    for p, part in zip(uploaded, parts):
        assert_etag(p.headers, part)
        assert_crc(p.headers, part)
    assert re.match(r'^"[0-9A-F]{32}-10"$', done.headers.get("ETag", "")), done.headers.get("ETag")
    assert_crc(done.headers, data)
    head = client.head_object(bucket, "big/50mib.bin")
    assert int(head.headers["Content-Length"]) == len(data)
    assert head.headers.get("x-oss-object-type") == "Multipart"
    got = client.get_object(bucket, "big/50mib.bin")
    assert hashlib.sha256(got.body).digest() == hashlib.sha256(data).digest()
    ranged = client.get_object(bucket, "big/50mib.bin", byte_range=(5 * MIB - 10, 5 * MIB + 9))
    assert ranged.body == data[5 * MIB - 10:5 * MIB + 10]


def test_v2_uploader_and_download_to_file(v2, tmp_path):
    """The v2 SDK's own uploader (parallel multipart) and get_object_to_file (CRC64 checked on both)."""
    b = new_bucket_name("uploader")
    v2.create_bucket(b)
    src = tmp_path / "src.bin"
    data = os.urandom(50 * MIB)
    src.write_bytes(data)
    r = v2.upload_file(b, "big/uploaded.bin", str(src), part_size=6 * MIB)
    assert r.upload_id  # 50 MiB in 6 MiB parts: a multipart upload
    assert r.hash_crc64 == str(crc64(data))
    dst = tmp_path / "dst.bin"
    v2.get_object_to_file(b, "big/uploaded.bin", str(dst))
    assert hashlib.sha256(dst.read_bytes()).digest() == hashlib.sha256(data).digest()


def test_append_object(client, bucket):
    pos, r = client.append_object(bucket, "log.txt", 0, b"first;", init_crc=0)
    assert pos == 6 and r.status == 200
    assert_crc(r.headers, b"first;")
    pos, r = client.append_object(bucket, "log.txt", pos, b"second;", init_crc=crc64(b"first;"))
    assert pos == 13
    assert_crc(r.headers, b"first;second;")
    with pytest.raises(ServiceError) as exc:
        client.append_object(bucket, "log.txt", 3, b"wrong position")
    expect_error(exc, 409, "PositionNotEqualToLength")
    head = client.head_object(bucket, "log.txt")
    assert head.headers.get("x-oss-object-type") == "Appendable"
    assert head.headers.get("x-oss-next-append-position") == "13"
    assert client.get_object(bucket, "log.txt").body == b"first;second;"

    client.put_object(bucket, "normal", b"normal object")
    with pytest.raises(ServiceError) as exc:
        client.append_object(bucket, "normal", len(b"normal object"), b"more")
    expect_error(exc, 409, "ObjectNotAppendable")


def test_bucket_location(client, bucket):
    assert client.get_bucket_location(bucket) == "oss-cn-hangzhou"  # the emulator's default region


def test_unsupported_subresource_is_an_error(client, bucket):
    """Issue 4: an unknown or unsupported sub-resource gets an OSS-style error, never a silent success."""
    with pytest.raises(ServiceError) as exc:
        client.get_bucket_cors(bucket)
    e = exc.value
    assert e.status >= 400 and e.code, e
    assert REQUEST_ID.match(e.request_id or ""), e


def test_delete_multiple_objects(client, bucket):
    keys = ["dm/1", "dm/two words", "dm/中文", "dm/a+b"]
    for k in keys:
        client.put_object(bucket, k, k.encode())
    client.put_object(bucket, "dm-kept", b"kept")
    deleted = client.delete_multiple(bucket, keys)
    assert sorted(deleted) == sorted(keys)
    assert client.list_objects(bucket, prefix="dm").keys == ["dm-kept"]


def test_content_md5_checked(client, bucket):
    data = b"payload with a digest"
    assert client.put_object_md5(bucket, "md5/ok", data, content_md5(data)).status == 200
    with pytest.raises(ServiceError) as exc:
        client.put_object_md5(bucket, "md5/bad", data, content_md5(b"something else"))
    expect_error(exc, 400, "InvalidDigest")
    with pytest.raises(ServiceError) as exc:
        client.head_object(bucket, "md5/bad")
    expect_error(exc, 404, "NoSuchKey")  # HEAD: the SDKs decode the x-oss-err header


def test_response_header_overrides(client, bucket):
    # The values have spaces: oss2 sends them form-encoded ('+'), the v2 SDK percent-encoded ('%20').
    client.put_object(bucket, "override", b"data", content_type="text/plain")
    r = client.get_object_overrides(bucket, "override", "application/x-override", 'attachment; filename="x y.txt"')
    assert r.body == b"data"
    assert r.headers.get("Content-Type") == "application/x-override"
    assert r.headers.get("Content-Disposition") == 'attachment; filename="x y.txt"'
    assert client.head_object(bucket, "override").headers.get("Content-Type") == "text/plain"


def test_multipart_list_parts_uploads_and_abort(client, bucket):
    key = "mp/aborted"
    uid = client.initiate_upload(bucket, key)
    p1, p2 = os.urandom(200 * 1024), b"tail"
    client.upload_part(bucket, key, uid, 1, p1)
    client.upload_part(bucket, key, uid, 2, p2)
    parts = client.list_parts(bucket, key, uid)
    assert [(n, size) for n, _, size in parts] == [(1, len(p1)), (2, len(p2))]
    assert parts[0][1].strip('"').upper() == etag_of(p1)
    assert (key, uid) in client.list_uploads(bucket, prefix="mp/")

    assert client.abort_upload(bucket, key, uid).status == 204
    assert (key, uid) not in client.list_uploads(bucket, prefix="mp/")
    with pytest.raises(ServiceError) as exc:
        client.list_parts(bucket, key, uid)
    expect_error(exc, 404, "NoSuchUpload")
    with pytest.raises(ServiceError) as exc:
        client.upload_part(bucket, key, uid, 3, b"late")
    expect_error(exc, 404, "NoSuchUpload")
    with pytest.raises(ServiceError) as exc:
        client.head_object(bucket, key)
    expect_error(exc, 404, "NoSuchKey")  # HEAD: the SDKs decode the x-oss-err header


def test_part_number_out_of_range(client, bucket):
    uid = client.initiate_upload(bucket, "mp/range")
    with pytest.raises(ServiceError) as exc:
        client.upload_part(bucket, "mp/range", uid, 10001, b"x")
    expect_error(exc, 400, "InvalidArgument")
    client.abort_upload(bucket, "mp/range", uid)


# ---------------------------------------------------------------------------------------------------------
# Presigned URLs, fetched with plain urllib


def _urlopen(url: str, method: str = "GET", data: bytes = None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read(), resp.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


def _error_code(body: bytes) -> str:
    m = re.search(rb"<Code>([^<]*)</Code>", body)
    return m.group(1).decode() if m else ""


def test_presigned_get_and_put(client, bucket):
    data = os.urandom(1500)
    client.put_object(bucket, "pre/signed object+中.bin", data)
    url = client.presign(bucket, "pre/signed object+中.bin", "GET", 300)
    if client.signature_version == 4:
        assert "x-oss-signature=" in url and "x-oss-credential=" in url
    else:
        assert "Signature=" in url and "OSSAccessKeyId=" in url
    status, body, headers = _urlopen(url)
    assert status == 200 and body == data
    assert headers.get("x-oss-hash-crc64ecma") == str(crc64(data))

    ctype = "application/octet-stream"
    put_url = client.presign(bucket, "pre/uploaded.bin", "PUT", 300, headers={"Content-Type": ctype})
    status, body, _ = _urlopen(put_url, "PUT", b"uploaded through a presigned URL", {"Content-Type": ctype})
    assert status == 200, body
    assert client.get_object(bucket, "pre/uploaded.bin").body == b"uploaded through a presigned URL"


def test_presigned_url_tampered(client, bucket):
    client.put_object(bucket, "pre/a", b"a")
    client.put_object(bucket, "pre/b", b"b")
    url = client.presign(bucket, "pre/a", "GET", 300)
    parts = urlsplit(url)
    other = urlunsplit(parts._replace(path=parts.path[:-1] + "b"))
    status, body, _ = _urlopen(other)
    assert status == 403 and _error_code(body) == "SignatureDoesNotMatch", body
    status, body, _ = _urlopen(url, "DELETE")
    assert status == 403 and _error_code(body) == "SignatureDoesNotMatch", body


def test_presigned_url_expired(emulator):
    """An expired presigned URL is 403 AccessDenied (both versions; signed in the past with oss2)."""
    b = new_bucket_name("expired")
    owner = Oss2Client(emulator.endpoint, emulator.access_key_id, emulator.access_key_secret, 4)
    owner.create_bucket(b)
    owner.put_object(b, "k", b"v")
    for version in (1, 4):
        c = Oss2Client(emulator.endpoint, emulator.access_key_id, emulator.access_key_secret, version)
        with frozen_oss2_clock(int(time.time()) - 3600):
            url = c.presign(b, "k", "GET", 60)
        status, body, _ = _urlopen(url)
        assert status == 403 and _error_code(body) == "AccessDenied", (version, body)


def test_anonymous_request_denied(emulator, client, bucket):
    client.put_object(bucket, "private", b"secret")
    status, body, _ = _urlopen(f"{emulator.endpoint}/{bucket}/private")
    assert status == 403 and _error_code(body) == "AccessDenied", body


# ---------------------------------------------------------------------------------------------------------
# Authentication failures seen through the SDKs


@pytest.mark.parametrize("kind", ["oss2-v1", "oss2-v4", "ossv2-v4"])
def test_wrong_secret_and_unknown_key(emulator, kind):
    good = make_client(kind, emulator.endpoint, emulator.access_key_id, emulator.access_key_secret)
    b = new_bucket_name("auth-" + kind)
    good.create_bucket(b)

    bad_secret = make_client(kind, emulator.endpoint, emulator.access_key_id, "not-the-secret")
    with pytest.raises(ServiceError) as exc:
        bad_secret.put_object(b, "k", b"v")
    e = expect_error(exc, 403, "SignatureDoesNotMatch")
    if isinstance(bad_secret, Oss2Client):
        # OSS puts the StringToSign it computed in the error body, so users can debug.
        assert e.raw.details.get("StringToSign"), e.raw.details

    unknown = make_client(kind, emulator.endpoint, "LTAI5tNoSuchAccessKey", "whatever")
    with pytest.raises(ServiceError) as exc:
        unknown.get_object(b, "k")
    expect_error(exc, 403, "InvalidAccessKeyId")


@pytest.mark.parametrize("version", [1, 4])
def test_request_time_too_skewed(emulator, version):
    c = Oss2Client(emulator.endpoint, emulator.access_key_id, emulator.access_key_secret, version)
    b = new_bucket_name("skew")
    c.create_bucket(b)
    with frozen_oss2_clock(int(time.time()) - 20 * 60):  # over the 15 minutes OSS allows
        with pytest.raises(ServiceError) as exc:
            c.put_object(b, "k", b"v")
    expect_error(exc, 403, "RequestTimeTooSkewed")


# ---------------------------------------------------------------------------------------------------------
# Object-level encryption (REFERENCE.md section 2)


def _check_object_sse(client, bucket, key, data, expected: Sse):
    """GET and HEAD return the object's encryption headers (and the data, decrypted)."""
    got = client.get_object(bucket, key)
    assert got.body == data
    assert_crc(got.headers, data)
    for r in (got, client.head_object(bucket, key)):
        actual = sse_headers(r.headers)
        assert actual.algorithm == expected.algorithm
        assert actual.data_encryption == expected.data_encryption
        if expected.algorithm == "KMS":
            assert actual.key_id, "KMS objects report the id of the key used"
            if expected.key_id is not None:
                assert actual.key_id == expected.key_id
        else:
            assert actual.key_id is None


@pytest.mark.parametrize("sse,expected", [
    (None, Sse(None)),
    (Sse("AES256"), Sse("AES256")),
    (Sse("SM4"), Sse("SM4")),
    (Sse("KMS"), Sse("KMS")),
    (Sse("KMS", None, "SM4"), Sse("KMS", None, "SM4")),
], ids=["none", "aes256", "sm4", "kms", "kms-sm4"])
def test_object_sse_headers(client, bucket, sse, expected):
    data = os.urandom(3000)
    put = client.put_object(bucket, "enc/obj", data, sse=sse)
    actual = sse_headers(put.headers)
    assert actual.algorithm == expected.algorithm and actual.data_encryption == expected.data_encryption
    if expected.algorithm == "KMS":
        assert actual.key_id
    _check_object_sse(client, bucket, "enc/obj", data, expected)


@pytest.mark.parametrize("sse,status,code", [
    (Sse("AES128"), 400, "InvalidEncryptionAlgorithmError"),
    (Sse("AES256", "some-key-id"), 400, "InvalidArgument"),
    (Sse("SM4", "some-key-id"), 400, "InvalidArgument"),
    (Sse("KMS", "no-such-key-0000"), 404, "KeyNotFound"),
], ids=["bad-algorithm", "aes256-with-key", "sm4-with-key", "kms-missing-key"])
def test_object_sse_invalid(client, bucket, sse, status, code):
    with pytest.raises(ServiceError) as exc:
        client.put_object(bucket, "enc/bad", b"data", sse=sse)
    expect_error(exc, status, code)
    with pytest.raises(ServiceError) as exc:
        client.head_object(bucket, "enc/bad")
    expect_error(exc, 404, "NoSuchKey")  # HEAD: the SDKs decode the x-oss-err header


@pytest.mark.parametrize("default,sse,expected", [
    (Sse("AES256"), None, Sse("AES256")),
    (Sse("KMS"), None, Sse("KMS")),
    (Sse("KMS", None, "SM4"), None, Sse("KMS", None, "SM4")),
    (Sse("SM4"), None, Sse("SM4")),
    (Sse("AES256"), Sse("KMS"), Sse("KMS")),
    (Sse("KMS"), Sse("AES256"), Sse("AES256")),
    (Sse("SM4"), Sse("KMS", None, "SM4"), Sse("KMS", None, "SM4")),
], ids=["aes-default", "kms-default", "kms-sm4-default", "sm4-default", "kms-over-aes", "aes-over-kms",
        "kms-sm4-over-sm4"])
def test_object_sse_precedence_over_bucket_default(client, bucket, default, sse, expected):
    client.put_bucket_encryption(bucket, default)
    data = os.urandom(777)
    put = client.put_object(bucket, "enc/default", data, sse=sse)
    assert sse_headers(put.headers).algorithm == expected.algorithm
    _check_object_sse(client, bucket, "enc/default", data, expected)


def test_bucket_default_kms_with_missing_key_fails_on_write(client, bucket):
    client.put_bucket_encryption(bucket, Sse("KMS", "no-such-key-0000"))  # accepted at Put time
    with pytest.raises(ServiceError) as exc:
        client.put_object(bucket, "enc/x", b"data")
    expect_error(exc, 404, "KeyNotFound")


def test_copy_does_not_carry_source_encryption(client, bucket):
    data = os.urandom(1234)
    client.put_object(bucket, "enc/src", data, sse=Sse("KMS", None, "SM4"))

    client.copy_object(bucket, "enc/plain-copy", bucket, "enc/src")
    _check_object_sse(client, bucket, "enc/plain-copy", data, Sse(None))

    r = client.copy_object(bucket, "enc/sm4-copy", bucket, "enc/src", sse=Sse("SM4"))
    assert sse_headers(r.headers).algorithm == "SM4"
    _check_object_sse(client, bucket, "enc/sm4-copy", data, Sse("SM4"))

    dst = new_bucket_name(client.name + "-aesdst")
    client.create_bucket(dst)
    client.put_bucket_encryption(dst, Sse("AES256"))
    client.copy_object(dst, "enc/default-copy", bucket, "enc/src")
    _check_object_sse(client, dst, "enc/default-copy", data, Sse("AES256"))


def test_multipart_sse(client, bucket):
    data, parts = _parts(3 * 256 * 1024 + 1000, 256 * 1024)
    init, uploaded, done = client.multipart_upload(bucket, "enc/multi", parts, sse=Sse("KMS", None, "SM4"))
    for r in [init] + uploaded + [done]:
        s = sse_headers(r.headers)
        assert s.algorithm == "KMS" and s.data_encryption == "SM4" and s.key_id, r.headers
    _check_object_sse(client, bucket, "enc/multi", data, Sse("KMS", None, "SM4"))


def test_multipart_with_bucket_default(client, bucket):
    client.put_bucket_encryption(bucket, Sse("SM4"))
    data, parts = _parts(2 * 200 * 1024, 200 * 1024)
    init, uploaded, done = client.multipart_upload(bucket, "enc/multi-default", parts)
    for r in [init] + uploaded + [done]:
        assert sse_headers(r.headers).algorithm == "SM4", r.headers
    _check_object_sse(client, bucket, "enc/multi-default", data, Sse("SM4"))


def test_upload_part_refuses_sse_headers(client, bucket):
    with pytest.raises(ServiceError) as exc:
        client.upload_part_with_headers(bucket, "enc/part", b"x" * 1024, {"x-oss-server-side-encryption": "AES256"})
    expect_error(exc, 400, "InvalidArgument")


def test_append_keeps_first_encryption(client, bucket):
    pos, r = client.append_object(bucket, "enc/append", 0, b"one;", sse=Sse("KMS"), init_crc=0)
    assert sse_headers(r.headers).algorithm == "KMS"
    pos, r = client.append_object(bucket, "enc/append", pos, b"two;", init_crc=crc64(b"one;"))
    assert sse_headers(r.headers).algorithm == "KMS"
    _check_object_sse(client, bucket, "enc/append", b"one;two;", Sse("KMS"))


def test_presigned_get_of_encrypted_object(client, bucket):
    data = os.urandom(900)
    client.put_object(bucket, "enc/presigned", data, sse=Sse("SM4"))
    status, body, headers = _urlopen(client.presign(bucket, "enc/presigned", "GET", 300))
    assert status == 200 and body == data
    assert headers.get("x-oss-server-side-encryption") == "SM4"


# ---------------------------------------------------------------------------------------------------------
# The server process


def test_sigterm_exits_zero_and_data_survives_restart(tmp_path):
    """SIGTERM stops the server with status 0; a restart on the same data dir serves what was written."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    ak, sk = "LTAI5tRestartRoot", "restart-secret-value"
    emu = start_emulator(data_dir, ak, sk, tmp_path / "logs1")
    try:
        c = make_client("oss2-v4", emu.endpoint, ak, sk)
        c.create_bucket("restart-bucket")
        c.put_bucket_encryption("restart-bucket", Sse("KMS", None, "SM4"))
        payload = os.urandom(100_000)
        c.put_object("restart-bucket", "kept", payload)
    finally:
        rc = stop_emulator(emu.process)
    assert rc == 0, emu.stderr()

    emu2 = start_emulator(data_dir, ak, sk, tmp_path / "logs2")
    try:
        c = make_client("ossv2-v4", emu2.endpoint, ak, sk)
        assert c.get_object("restart-bucket", "kept").body == payload
        assert c.get_bucket_encryption("restart-bucket") == Sse("KMS", None, "SM4")
    finally:
        stop_emulator(emu2.process)
