"""End-to-end: RAM users, their policies, and STS credentials, as the official SDKs present them.

An emulator of its own is started with `--users FILE` (the format of crates/oss-sse-server/src/users.rs):
a reader, a writer and an encryption administrator with different policies, and STS credentials of the
reader (one valid, one expired). Each test runs with oss2 V1, oss2 V4 and alibabacloud-oss-v2 V4. A denied
call is 403 AccessDenied; the root account may do anything; explicit Deny wins over Allow.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from conftest import start_emulator, stop_emulator
from sdk_clients import CLIENT_KINDS, ServiceError, Sse, expect_error, make_client

BUCKET = "rambucket"

READER = ("LTAI5tReaderKeyId", "reader-secret")
WRITER = ("LTAI5tWriterKeyId", "writer-secret")
ENCADMIN = ("LTAI5tEncAdminKeyId", "encadmin-secret")
STS_READER = ("STS.NReaderTemp", "sts-reader-secret", "CAIS+reader/token=value")
STS_EXPIRED = ("STS.NExpiredTemp", "sts-expired-secret", "CAIS+expired/token")


def _policy(*statements):
    return {"Version": "1", "Statement": list(statements)}


USERS = {
    "users": [
        {
            "name": "reader",
            "access_key_id": READER[0],
            "access_key_secret": READER[1],
            "policies": [_policy(
                {"Effect": "Allow", "Action": ["oss:GetObject", "oss:ListObjects", "oss:GetBucketEncryption"],
                 "Resource": [f"acs:oss:*:*:{BUCKET}", f"acs:oss:*:*:{BUCKET}/*"]},
                {"Effect": "Deny", "Action": "oss:*", "Resource": f"acs:oss:*:*:{BUCKET}/secret/*"},
            )],
            "sts": [
                {"access_key_id": STS_READER[0], "access_key_secret": STS_READER[1],
                 "security_token": STS_READER[2], "expiration": "2099-01-01T00:00:00Z"},
                {"access_key_id": STS_EXPIRED[0], "access_key_secret": STS_EXPIRED[1],
                 "security_token": STS_EXPIRED[2], "expiration": "2020-01-01T00:00:00Z"},
            ],
        },
        {
            "name": "writer",
            "access_key_id": WRITER[0],
            "access_key_secret": WRITER[1],
            "policies": [_policy(
                {"Effect": "Allow", "Action": "oss:Put*", "Resource": f"acs:oss:*:*:{BUCKET}/uploads/*"},
            )],
        },
        {
            "name": "encadmin",
            "access_key_id": ENCADMIN[0],
            "access_key_secret": ENCADMIN[1],
            "policies": [_policy(
                {"Effect": "Allow", "Action": ["oss:PutBucketEncryption", "oss:GetBucketEncryption"],
                 "Resource": f"acs:oss:*:*:{BUCKET}"},
                {"Effect": "Allow", "Action": "oss:Get*", "Resource": f"acs:oss:*:*:{BUCKET}/*"},
            )],
        },
    ]
}

ROOT = ("LTAI5tUsersRootKey", "users-root-secret")


@pytest.fixture(scope="module")
def users_emulator(tmp_path_factory):
    base = tmp_path_factory.mktemp("users-emulator")
    (base / "data").mkdir()
    users_file = base / "users.json"
    users_file.write_text(json.dumps(USERS, indent=2))
    emu = start_emulator(base / "data", ROOT[0], ROOT[1], base / "logs", ["--users", str(users_file)])
    try:
        root = make_client("oss2-v4", emu.endpoint, *ROOT)
        root.create_bucket(BUCKET)
        for key in ("public/readme.txt", "secret/plans.txt", "uploads/existing.bin"):
            root.put_object(BUCKET, key, key.encode())
        yield emu
    finally:
        stop_emulator(emu.process)


def _as(kind, emu, creds):
    return make_client(kind, emu.endpoint, *creds)


@pytest.fixture(params=CLIENT_KINDS)
def kind(request):
    return request.param


def _denied(call):
    with pytest.raises(ServiceError) as exc:
        call()
    expect_error(exc, 403, "AccessDenied")


def test_reader_policy(users_emulator, kind):
    c = _as(kind, users_emulator, READER)
    assert c.get_object(BUCKET, "public/readme.txt").body == b"public/readme.txt"
    assert "public/readme.txt" in c.list_objects(BUCKET).keys
    with pytest.raises(ServiceError) as exc:  # allowed, and there is no rule
        c.get_bucket_encryption(BUCKET)
    expect_error(exc, 404, "NoSuchServerSideEncryptionRule")
    _denied(lambda: c.get_object(BUCKET, "secret/plans.txt"))  # explicit Deny wins over the Allow
    _denied(lambda: c.put_object(BUCKET, "public/new.txt", b"x"))
    _denied(lambda: c.delete_object(BUCKET, "public/readme.txt"))
    _denied(lambda: c.put_bucket_encryption(BUCKET, Sse("AES256")))


def test_writer_policy(users_emulator, kind):
    c = _as(kind, users_emulator, WRITER)
    assert c.put_object(BUCKET, f"uploads/{kind}.bin", b"written").status == 200
    _denied(lambda: c.put_object(BUCKET, f"elsewhere/{kind}.bin", b"x"))
    _denied(lambda: c.get_object(BUCKET, "uploads/existing.bin"))  # oss:Put* does not grant reads
    _denied(lambda: c.list_objects(BUCKET))
    root = _as(kind, users_emulator, ROOT)
    assert root.get_object(BUCKET, f"uploads/{kind}.bin").body == b"written"


def test_encryption_admin_policy(users_emulator, kind):
    c = _as(kind, users_emulator, ENCADMIN)
    root = _as(kind, users_emulator, ROOT)
    try:
        assert c.put_bucket_encryption(BUCKET, Sse("KMS", None, "SM4")).status == 200
        assert c.get_bucket_encryption(BUCKET) == Sse("KMS", None, "SM4")
        _denied(lambda: c.delete_bucket_encryption(BUCKET))  # not granted
        assert c.get_object(BUCKET, "public/readme.txt").body == b"public/readme.txt"  # oss:Get*
        _denied(lambda: c.put_object(BUCKET, "public/by-admin.txt", b"x"))
    finally:
        root.delete_bucket_encryption(BUCKET)


def test_sts_credentials(users_emulator, kind):
    ak, sk, token = STS_READER
    c = make_client(kind, users_emulator.endpoint, ak, sk, security_token=token)
    assert c.get_object(BUCKET, "public/readme.txt").body == b"public/readme.txt"
    _denied(lambda: c.put_object(BUCKET, "public/sts.txt", b"x"))  # the user's policies apply
    _denied(lambda: c.get_object(BUCKET, "secret/plans.txt"))

    wrong = make_client(kind, users_emulator.endpoint, ak, sk, security_token="CAIS+not-the-token")
    with pytest.raises(ServiceError) as exc:
        wrong.get_object(BUCKET, "public/readme.txt")
    expect_error(exc, 403, "InvalidSecurityToken")

    missing = make_client(kind, users_emulator.endpoint, ak, sk)
    with pytest.raises(ServiceError) as exc:
        missing.get_object(BUCKET, "public/readme.txt")
    e = expect_error(exc, 403)
    # Issue 4 names InvalidSecurityToken for a bad token; for an STS key presented without any token, OSS's
    # code is not pinned down by REFERENCE.md, so either refusal is accepted.
    assert e.code in ("InvalidSecurityToken", "AccessDenied"), e


def test_expired_sts_credentials(users_emulator, kind):
    ak, sk, token = STS_EXPIRED
    c = make_client(kind, users_emulator.endpoint, ak, sk, security_token=token)
    with pytest.raises(ServiceError) as exc:
        c.get_object(BUCKET, "public/readme.txt")
    e = expect_error(exc, 403)
    # Issue 4: "InvalidSecurityToken / expired token"; OSS reports an expired token with its own code.
    assert e.code in ("InvalidSecurityToken", "SecurityTokenExpired", "AccessDenied"), e


def test_sts_presigned_url(users_emulator, kind):
    ak, sk, token = STS_READER
    c = make_client(kind, users_emulator.endpoint, ak, sk, security_token=token)
    url = c.presign(BUCKET, "public/readme.txt", "GET", 300)
    assert "security-token=" in url  # V1 `security-token`, V4 `x-oss-security-token`
    with urllib.request.urlopen(url, timeout=30) as resp:
        assert resp.status == 200 and resp.read() == b"public/readme.txt"
    denied = c.presign(BUCKET, "secret/plans.txt", "GET", 300)
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(denied, timeout=30)
    assert exc.value.code == 403 and b"<Code>AccessDenied</Code>" in exc.value.read()


def test_root_may_do_anything(users_emulator, kind):
    root = _as(kind, users_emulator, ROOT)
    key = f"secret/root-{kind}-{int(time.time() * 1000)}"
    root.put_object(BUCKET, key, b"root")
    assert root.get_object(BUCKET, key).body == b"root"
    root.delete_object(BUCKET, key)
