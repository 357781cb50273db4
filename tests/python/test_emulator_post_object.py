"""PostObject (browser form upload) against `oss-sse serve`, with the form built by `requests` as a browser
would send it (oss2 2.19.1 has no PostObject helper). The policy is base64-encoded with oss2's own
utility; the signatures are computed here from the documented rules (V1: base64 HMAC-SHA1 of the policy;
V4: hex HMAC-SHA256 of the policy under the `aliyun_v4` signing key), independently of the emulator's code.
The uploaded objects are read back and checked through the official SDK clients.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta, timezone

import oss2
import pytest
import requests

from conftest import new_bucket_name
from sdk_clients import REGION, ServiceError, Sse, crc64, make_client


def _policy(conditions, expires_in=timedelta(hours=1)) -> str:
    exp = (datetime.now(timezone.utc) + expires_in).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return oss2.utils.b64encode_as_string(json.dumps({"expiration": exp, "conditions": conditions}))


def _v1_fields(ak: str, sk: str, policy: str) -> dict:
    sig = base64.b64encode(hmac.new(sk.encode(), policy.encode(), hashlib.sha1).digest()).decode()
    return {"OSSAccessKeyId": ak, "policy": policy, "Signature": sig}


def _v4_fields(ak: str, sk: str, policy: str, region: str = REGION) -> dict:
    now = datetime.now(timezone.utc)
    day = now.strftime("%Y%m%d")
    key = ("aliyun_v4" + sk).encode()
    for part in (day, region, "oss", "aliyun_v4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return {
        "x-oss-signature-version": "OSS4-HMAC-SHA256",
        "x-oss-credential": f"{ak}/{day}/{region}/oss/aliyun_v4_request",
        "x-oss-date": now.strftime("%Y%m%dT%H%M%SZ"),
        "policy": policy,
        "x-oss-signature": hmac.new(key, policy.encode(), hashlib.sha256).hexdigest(),
    }


def _sign(version: str, emulator, policy: str, secret: str = None) -> dict:
    sk = emulator.access_key_secret if secret is None else secret
    if version == "v1":
        return _v1_fields(emulator.access_key_id, sk, policy)
    return _v4_fields(emulator.access_key_id, sk, policy)


def _post(emulator, bucket: str, fields: dict, data: bytes, filename: str = "upload.bin") -> requests.Response:
    # `requests` puts `data` fields first and the `files` part last, as PostObject requires.
    return requests.post(f"{emulator.endpoint}/{bucket}", data=fields,
                         files={"file": (filename, data, "application/octet-stream")}, timeout=30)


def _code(resp: requests.Response) -> str:
    text = resp.text
    a, b = text.find("<Code>"), text.find("</Code>")
    return text[a + 6:b] if 0 <= a < b else ""


@pytest.fixture
def sdk(emulator):
    return make_client("oss2-v4", emulator.endpoint, emulator.access_key_id, emulator.access_key_secret)


@pytest.fixture
def post_bucket(sdk):
    name = new_bucket_name("post")
    sdk.create_bucket(name)
    return name


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_form_upload_reads_back_through_the_sdk(version, emulator, sdk, post_bucket):
    data = secrets.token_bytes(300 * 1024 + 5)
    policy = _policy([{"bucket": post_bucket}, ["starts-with", "$key", "forms/"],
                      ["content-length-range", 1, 1024 * 1024]])
    fields = dict(_sign(version, emulator, policy), key="forms/${filename}",
                  **{"x-oss-meta-via": "post", "Content-Type": "image/png"})
    r = _post(emulator, post_bucket, fields, data, filename=f"{version}.png")
    assert r.status_code == 204, r.text
    assert r.headers["x-oss-hash-crc64ecma"] == str(crc64(data))
    assert r.headers["ETag"].strip('"').lower() == hashlib.md5(data).hexdigest()
    got = sdk.get_object(post_bucket, f"forms/{version}.png")
    assert got.body == data
    assert got.headers["content-type"] == "image/png"
    assert got.headers["x-oss-meta-via"] == "post"


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_sse_field_and_bucket_default(version, emulator, sdk, post_bucket):
    policy = _policy([])
    fields = dict(_sign(version, emulator, policy), key="kms-sm4",
                  **{"x-oss-server-side-encryption": "KMS", "x-oss-server-side-data-encryption": "SM4"})
    r = _post(emulator, post_bucket, fields, b"encrypted by form field")
    assert r.status_code == 204, r.text
    assert r.headers["x-oss-server-side-encryption"] == "KMS"
    assert r.headers["x-oss-server-side-data-encryption"] == "SM4"
    assert r.headers.get("x-oss-server-side-encryption-key-id")
    got = sdk.get_object(post_bucket, "kms-sm4")
    assert got.body == b"encrypted by form field"
    assert got.headers["x-oss-server-side-encryption"] == "KMS"

    sdk.put_bucket_encryption(post_bucket, Sse("SM4"))
    r = _post(emulator, post_bucket, dict(_sign(version, emulator, policy), key="by-default"), b"default")
    assert r.status_code == 204, r.text
    assert r.headers["x-oss-server-side-encryption"] == "SM4"
    fields = dict(_sign(version, emulator, policy), key="override",
                  **{"x-oss-server-side-encryption": "AES256", "success_action_status": "201"})
    r = _post(emulator, post_bucket, fields, b"override")
    assert r.status_code == 201, r.text
    assert r.headers["x-oss-server-side-encryption"] == "AES256"
    assert "<Key>override</Key>" in r.text
    assert sdk.head_object(post_bucket, "override").headers["x-oss-server-side-encryption"] == "AES256"


@pytest.mark.parametrize("version", ["v1", "v4"])
def test_refusals(version, emulator, sdk, post_bucket):
    policy = _policy([["starts-with", "$key", "allowed/"], ["content-length-range", 2, 10]])
    r = _post(emulator, post_bucket, dict(_sign(version, emulator, policy), key="other/x"), b"12345")
    assert (r.status_code, _code(r)) == (403, "AccessDenied"), r.text
    r = _post(emulator, post_bucket, dict(_sign(version, emulator, policy), key="allowed/x"), b"x" * 11)
    assert (r.status_code, _code(r)) == (400, "EntityTooLarge"), r.text
    r = _post(emulator, post_bucket, dict(_sign(version, emulator, policy), key="allowed/x"), b"x")
    assert (r.status_code, _code(r)) == (400, "EntityTooSmall"), r.text
    r = _post(emulator, post_bucket, dict(_sign(version, emulator, policy, secret="wrong"), key="allowed/x"),
              b"12345")
    assert (r.status_code, _code(r)) == (403, "AccessDenied"), r.text
    expired = _policy([], expires_in=timedelta(hours=-1))
    r = _post(emulator, post_bucket, dict(_sign(version, emulator, expired), key="allowed/x"), b"12345")
    assert (r.status_code, _code(r)) == (403, "AccessDenied"), r.text
    bad = _policy([["matches", "$key", "x"]])
    r = _post(emulator, post_bucket, dict(_sign(version, emulator, bad), key="allowed/x"), b"12345")
    assert (r.status_code, _code(r)) == (400, "InvalidPolicyDocument"), r.text
    with pytest.raises(ServiceError) as refused:
        sdk.head_object(post_bucket, "allowed/x")
    assert refused.value.status == 404
    r = _post(emulator, post_bucket, dict(_sign(version, emulator, policy), key="allowed/x"), b"12345")
    assert r.status_code == 204, r.text
