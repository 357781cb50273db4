"""The official OSS Python SDKs as real clients of the emulator, behind one small common interface.

Each `SdkClient` drives one SDK with one signature version (oss2 V1, oss2 V4, alibabacloud-oss-v2 V4)
through its public API, with its defaults (CRC64 checks on). The interface only smooths over naming: the
request that goes on the wire is the SDK's own. Service errors of either SDK come out as `ServiceError`
(HTTP status, OSS code, message, request id) so tests can assert OSS's error outcomes the same way.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import hashlib
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import alibabacloud_oss_v2 as oss_v2
import oss2
import oss2.credentials
import oss2.exceptions
import oss2.models
import oss2.utils
from alibabacloud_oss_v2.types import OperationInput
from requests.structures import CaseInsensitiveDict

REGION = "cn-hangzhou"
REQUEST_ID = re.compile(r"^[0-9A-F]{24}$")  # x-oss-request-id: 24 upper-case hex characters


@dataclass
class Sse:
    """Object- or bucket-level encryption settings, as the three OSS headers / XML elements carry them."""

    algorithm: Optional[str] = None
    key_id: Optional[str] = None
    data_encryption: Optional[str] = None

    def headers(self) -> Dict[str, str]:
        """The object-level request headers (REFERENCE.md section 2)."""
        h = {}
        if self.algorithm is not None:
            h["x-oss-server-side-encryption"] = self.algorithm
        if self.key_id is not None:
            h["x-oss-server-side-encryption-key-id"] = self.key_id
        if self.data_encryption is not None:
            h["x-oss-server-side-data-encryption"] = self.data_encryption
        return h


@dataclass
class Response:
    """What a test looks at in a successful response."""

    status: int
    headers: CaseInsensitiveDict
    body: bytes = b""


@dataclass
class Listing:
    keys: List[str]
    prefixes: List[str]
    truncated: bool
    next_marker: Optional[str]  # NextMarker (V1) or NextContinuationToken (V2)


class ServiceError(Exception):
    """An OSS error response, whichever SDK received it."""

    def __init__(self, status: int, code: str, message: str, request_id: str, sdk: str, raw: Exception):
        super().__init__(f"{sdk}: HTTP {status} {code}: {message} (request id {request_id})")
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.raw = raw


def crc64(data: bytes, init: int = 0) -> int:
    """CRC-64/ECMA-182 as OSS reports it in x-oss-hash-crc64ecma (computed with oss2's own Crc64)."""
    c = oss2.utils.Crc64(init)
    c.update(data)
    return c.crc


def content_md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def expect_error(exc, status: int, code: Optional[str] = None) -> ServiceError:
    """Asserts an OSS error outcome (status, and code when given) and a well-formed request id."""
    e = exc.value
    assert e.status == status, f"expected HTTP {status} {code}, got {e}"
    if code is not None:
        assert e.code == code, f"expected {code}, got {e}"
    if status != 304:
        assert REQUEST_ID.match(e.request_id or ""), f"bad request id {e.request_id!r} in {e}"
    return e


class SdkClient:
    """Common interface; see the two implementations."""

    name = ""
    sdk = ""
    signature_version = 0

    # Bucket level -------------------------------------------------------------------------------------
    def create_bucket(self, bucket: str) -> Response: raise NotImplementedError
    def delete_bucket(self, bucket: str) -> Response: raise NotImplementedError
    def list_buckets(self) -> List[str]: raise NotImplementedError
    def put_bucket_encryption(self, bucket: str, rule: Sse) -> Response: raise NotImplementedError
    def get_bucket_encryption(self, bucket: str) -> Sse: raise NotImplementedError
    def delete_bucket_encryption(self, bucket: str) -> Response: raise NotImplementedError
    def bucket_info_encryption(self, bucket: str) -> Sse: raise NotImplementedError

    # Object level -------------------------------------------------------------------------------------
    def put_object(self, bucket: str, key: str, data: bytes, sse: Optional[Sse] = None,
                   content_type: Optional[str] = None, metadata: Optional[Dict[str, str]] = None) -> Response:
        raise NotImplementedError

    def get_object(self, bucket: str, key: str, byte_range: Optional[Tuple[int, int]] = None,
                   if_match: Optional[str] = None, if_none_match: Optional[str] = None,
                   if_modified_since: Optional[str] = None, if_unmodified_since: Optional[str] = None) -> Response:
        raise NotImplementedError

    def head_object(self, bucket: str, key: str) -> Response: raise NotImplementedError
    def delete_object(self, bucket: str, key: str) -> Response: raise NotImplementedError

    def copy_object(self, bucket: str, key: str, src_bucket: str, src_key: str, sse: Optional[Sse] = None,
                    metadata_directive: Optional[str] = None,
                    metadata: Optional[Dict[str, str]] = None) -> Response:
        raise NotImplementedError

    def list_objects(self, bucket: str, prefix: str = "", delimiter: str = "", marker: str = "",
                     max_keys: int = 100) -> Listing:
        raise NotImplementedError

    def list_objects_v2(self, bucket: str, prefix: str = "", delimiter: str = "", token: str = "",
                        max_keys: int = 100, start_after: str = "") -> Listing:
        raise NotImplementedError

    def multipart_upload(self, bucket: str, key: str, parts: List[bytes], sse: Optional[Sse] = None
                         ) -> Tuple[Response, List[Response], Response]:
        """Initiate, upload every part, complete: (initiate, parts, complete) responses."""
        raise NotImplementedError

    def upload_part_with_headers(self, bucket: str, key: str, data: bytes, headers: Dict[str, str]) -> Response:
        """UploadPart carrying extra headers (to check that SSE headers are refused there)."""
        raise NotImplementedError

    def append_object(self, bucket: str, key: str, position: int, data: bytes, sse: Optional[Sse] = None,
                      init_crc: Optional[int] = None) -> Tuple[int, Response]:
        """(next position, response)."""
        raise NotImplementedError

    def presign(self, bucket: str, key: str, method: str, expires: int,
                headers: Optional[Dict[str, str]] = None) -> str:
        raise NotImplementedError

    def get_bucket_location(self, bucket: str) -> str: raise NotImplementedError

    def delete_multiple(self, bucket: str, keys: List[str]) -> List[str]:
        """DeleteMultipleObjects; returns the keys reported deleted."""
        raise NotImplementedError

    def put_object_md5(self, bucket: str, key: str, data: bytes, md5: str) -> Response:
        """PutObject with the given Content-MD5 header."""
        raise NotImplementedError

    def get_object_overrides(self, bucket: str, key: str, content_type: str, content_disposition: str
                             ) -> Response:
        """GetObject with response-content-type / response-content-disposition."""
        raise NotImplementedError

    def initiate_upload(self, bucket: str, key: str) -> str: raise NotImplementedError
    def upload_part(self, bucket: str, key: str, upload_id: str, n: int, data: bytes) -> Response:
        raise NotImplementedError
    def list_parts(self, bucket: str, key: str, upload_id: str) -> List[Tuple[int, str, int]]:
        """(part number, ETag, size) of each uploaded part."""
        raise NotImplementedError
    def list_uploads(self, bucket: str, prefix: str = "") -> List[Tuple[str, str]]:
        """(key, upload id) of each upload in progress."""
        raise NotImplementedError
    def abort_upload(self, bucket: str, key: str, upload_id: str) -> Response: raise NotImplementedError

    def get_bucket_cors(self, bucket: str) -> Response:
        """GetBucketCors: a sub-resource the emulator does not implement."""
        raise NotImplementedError


def _ci(headers) -> CaseInsensitiveDict:
    return CaseInsensitiveDict(dict(headers or {}))


# ---------------------------------------------------------------------------------------------------------
# oss2


@contextlib.contextmanager
def _oss2_errors():
    try:
        yield
    except oss2.exceptions.OssError as e:
        if e.status is None or e.status < 100:
            raise  # a client-side failure (connection, CRC mismatch, ...): not a service answer
        raise ServiceError(e.status, e.code, e.message, e.request_id, "oss2", e) from e


class Oss2Client(SdkClient):
    """oss2 2.19.1, signature V1 (`ProviderAuth`) or V4 (`ProviderAuthV4`)."""

    sdk = "oss2"

    def __init__(self, endpoint: str, access_key_id: str, access_key_secret: str, version: int,
                 security_token: str = ""):
        provider = oss2.credentials.StaticCredentialsProvider(access_key_id, access_key_secret, security_token)
        self.auth = oss2.ProviderAuth(provider) if version == 1 else oss2.ProviderAuthV4(provider)
        self.endpoint = endpoint
        self.signature_version = version
        self.name = f"oss2-v{version}"
        self.service = oss2.Service(self.auth, endpoint, region=REGION)

    def bucket(self, name: str) -> oss2.Bucket:
        return oss2.Bucket(self.auth, self.endpoint, name, region=REGION)

    def create_bucket(self, bucket):
        with _oss2_errors():
            r = self.bucket(bucket).create_bucket()
        return Response(r.status, _ci(r.headers))

    def delete_bucket(self, bucket):
        with _oss2_errors():
            r = self.bucket(bucket).delete_bucket()
        return Response(r.status, _ci(r.headers))

    def list_buckets(self):
        with _oss2_errors():
            return [b.name for b in oss2.BucketIterator(self.service)]

    def put_bucket_encryption(self, bucket, rule):
        with _oss2_errors():
            r = self.bucket(bucket).put_bucket_encryption(
                oss2.models.ServerSideEncryptionRule(rule.algorithm, rule.key_id, rule.data_encryption))
        return Response(r.status, _ci(r.headers))

    def get_bucket_encryption(self, bucket):
        with _oss2_errors():
            r = self.bucket(bucket).get_bucket_encryption()
        return Sse(r.sse_algorithm, r.kms_master_keyid or None, r.kms_data_encryption or None)

    def delete_bucket_encryption(self, bucket):
        with _oss2_errors():
            r = self.bucket(bucket).delete_bucket_encryption()
        return Response(r.status, _ci(r.headers))

    def bucket_info_encryption(self, bucket):
        with _oss2_errors():
            info = self.bucket(bucket).get_bucket_info()
        rule = info.bucket_encryption_rule
        if rule is None or rule.sse_algorithm is None:  # oss2 maps the reported "None" to None
            return Sse(None)
        return Sse(rule.sse_algorithm, rule.kms_master_keyid or None)

    @staticmethod
    def _headers(sse=None, content_type=None, metadata=None, extra=None):
        h = {}
        if sse is not None:
            h.update(sse.headers())
        if content_type is not None:
            h["Content-Type"] = content_type
        for k, v in (metadata or {}).items():
            h["x-oss-meta-" + k] = v
        h.update(extra or {})
        return h

    def put_object(self, bucket, key, data, sse=None, content_type=None, metadata=None):
        with _oss2_errors():
            r = self.bucket(bucket).put_object(key, data, headers=self._headers(sse, content_type, metadata))
        return Response(r.status, _ci(r.headers))

    def get_object(self, bucket, key, byte_range=None, if_match=None, if_none_match=None,
                   if_modified_since=None, if_unmodified_since=None):
        headers = {}
        for name, value in (("If-Match", if_match), ("If-None-Match", if_none_match),
                            ("If-Modified-Since", if_modified_since),
                            ("If-Unmodified-Since", if_unmodified_since)):
            if value is not None:
                headers[name] = value
        with _oss2_errors():
            r = self.bucket(bucket).get_object(key, byte_range=byte_range, headers=headers)
            body = r.read()  # with CRC checks on, oss2 compares the CRC64 of a whole-object read here
        return Response(r.status, _ci(r.headers), body)

    def head_object(self, bucket, key):
        with _oss2_errors():
            r = self.bucket(bucket).head_object(key)
        return Response(r.status, _ci(r.headers))

    def delete_object(self, bucket, key):
        with _oss2_errors():
            r = self.bucket(bucket).delete_object(key)
        return Response(r.status, _ci(r.headers))

    def copy_object(self, bucket, key, src_bucket, src_key, sse=None, metadata_directive=None, metadata=None):
        extra = {"x-oss-metadata-directive": metadata_directive} if metadata_directive else None
        with _oss2_errors():
            r = self.bucket(bucket).copy_object(src_bucket, src_key, key,
                                                headers=self._headers(sse, None, metadata, extra))
        return Response(r.status, _ci(r.headers))

    def list_objects(self, bucket, prefix="", delimiter="", marker="", max_keys=100):
        with _oss2_errors():
            r = self.bucket(bucket).list_objects(prefix=prefix, delimiter=delimiter, marker=marker,
                                                 max_keys=max_keys)
        return Listing([o.key for o in r.object_list], list(r.prefix_list), r.is_truncated, r.next_marker)

    def list_objects_v2(self, bucket, prefix="", delimiter="", token="", max_keys=100, start_after=""):
        with _oss2_errors():
            r = self.bucket(bucket).list_objects_v2(prefix=prefix, delimiter=delimiter, continuation_token=token,
                                                    start_after=start_after, max_keys=max_keys)
        return Listing([o.key for o in r.object_list], list(r.prefix_list), r.is_truncated,
                       r.next_continuation_token)

    def multipart_upload(self, bucket, key, parts, sse=None):
        b = self.bucket(bucket)
        with _oss2_errors():
            init = b.init_multipart_upload(key, headers=self._headers(sse))
            infos, part_responses = [], []
            for n, data in enumerate(parts, start=1):
                r = b.upload_part(key, init.upload_id, n, data)  # oss2 checks each part's CRC64
                part_responses.append(Response(r.status, _ci(r.headers)))
                infos.append(oss2.models.PartInfo(n, r.etag, size=len(data), part_crc=r.crc))
            # With part sizes and CRCs given, oss2 checks the whole object's combined CRC64.
            done = b.complete_multipart_upload(key, init.upload_id, infos)
        return Response(init.status, _ci(init.headers)), part_responses, Response(done.status, _ci(done.headers))

    def upload_part_with_headers(self, bucket, key, data, headers):
        b = self.bucket(bucket)
        with _oss2_errors():
            init = b.init_multipart_upload(key)
            try:
                r = b.upload_part(key, init.upload_id, 1, data, headers=headers)
            finally:
                with contextlib.suppress(oss2.exceptions.OssError):
                    b.abort_multipart_upload(key, init.upload_id)
        return Response(r.status, _ci(r.headers))

    def append_object(self, bucket, key, position, data, sse=None, init_crc=None):
        with _oss2_errors():
            r = self.bucket(bucket).append_object(key, position, data, headers=self._headers(sse),
                                                  init_crc=init_crc)
        return r.next_position, Response(r.status, _ci(r.headers))

    def presign(self, bucket, key, method, expires, headers=None):
        return self.bucket(bucket).sign_url(method, key, expires, headers=headers, slash_safe=True)

    def get_bucket_location(self, bucket):
        with _oss2_errors():
            return self.bucket(bucket).get_bucket_location().location

    def get_bucket_cors(self, bucket):
        with _oss2_errors():
            r = self.bucket(bucket).get_bucket_cors()
        return Response(r.status, _ci(r.headers))

    def delete_multiple(self, bucket, keys):
        with _oss2_errors():
            return list(self.bucket(bucket).batch_delete_objects(keys).deleted_keys)

    def put_object_md5(self, bucket, key, data, md5):
        with _oss2_errors():
            r = self.bucket(bucket).put_object(key, data, headers={"Content-MD5": md5})
        return Response(r.status, _ci(r.headers))

    def get_object_overrides(self, bucket, key, content_type, content_disposition):
        params = {"response-content-type": content_type, "response-content-disposition": content_disposition}
        with _oss2_errors():
            r = self.bucket(bucket).get_object(key, params=params)
            body = r.read()
        return Response(r.status, _ci(r.headers), body)

    def initiate_upload(self, bucket, key):
        with _oss2_errors():
            return self.bucket(bucket).init_multipart_upload(key).upload_id

    def upload_part(self, bucket, key, upload_id, n, data):
        with _oss2_errors():
            r = self.bucket(bucket).upload_part(key, upload_id, n, data)
        return Response(r.status, _ci(r.headers))

    def list_parts(self, bucket, key, upload_id):
        with _oss2_errors():
            r = self.bucket(bucket).list_parts(key, upload_id)
        return [(p.part_number, p.etag, p.size) for p in r.parts]

    def list_uploads(self, bucket, prefix=""):
        with _oss2_errors():
            r = self.bucket(bucket).list_multipart_uploads(prefix=prefix)
        return [(u.key, u.upload_id) for u in r.upload_list]

    def abort_upload(self, bucket, key, upload_id):
        with _oss2_errors():
            r = self.bucket(bucket).abort_multipart_upload(key, upload_id)
        return Response(r.status, _ci(r.headers))


# ---------------------------------------------------------------------------------------------------------
# alibabacloud-oss-v2


@contextlib.contextmanager
def _v2_errors():
    try:
        yield
    except oss_v2.exceptions.OperationError as e:
        inner = e.unwrap()
        if isinstance(inner, oss_v2.exceptions.ServiceError):
            raise ServiceError(inner.status_code, inner.code, inner.message, inner.request_id,
                               "alibabacloud-oss-v2", inner) from e
        raise
    except oss_v2.exceptions.ServiceError as e:
        raise ServiceError(e.status_code, e.code, e.message, e.request_id, "alibabacloud-oss-v2", e) from e


class V2Client(SdkClient):
    """alibabacloud-oss-v2 1.4.1 with signature V4 (its default)."""

    sdk = "alibabacloud-oss-v2"

    def __init__(self, endpoint: str, access_key_id: str, access_key_secret: str, version: int = 4,
                 security_token: Optional[str] = None):
        cfg = oss_v2.config.load_default()
        cfg.credentials_provider = oss_v2.credentials.StaticCredentialsProvider(
            access_key_id, access_key_secret, security_token)
        cfg.region = REGION
        cfg.endpoint = endpoint  # an IP endpoint: the SDK addresses it path-style by itself
        cfg.signature_version = f"v{version}"
        self.client = oss_v2.Client(cfg)
        self.signature_version = version
        self.name = f"ossv2-v{version}"

    @staticmethod
    def _resp(r, body: bytes = b"") -> Response:
        return Response(r.status_code, _ci(r.headers), body)

    def create_bucket(self, bucket):
        with _v2_errors():
            return self._resp(self.client.put_bucket(oss_v2.models.PutBucketRequest(bucket=bucket)))

    def delete_bucket(self, bucket):
        with _v2_errors():
            return self._resp(self.client.delete_bucket(oss_v2.models.DeleteBucketRequest(bucket=bucket)))

    def list_buckets(self):
        names = []
        with _v2_errors():
            for page in self.client.list_buckets_paginator().iter_page(oss_v2.models.ListBucketsRequest()):
                names += [b.name for b in (page.buckets or [])]
        return names

    def put_bucket_encryption(self, bucket, rule):
        req = oss_v2.models.PutBucketEncryptionRequest(
            bucket=bucket,
            server_side_encryption_rule=oss_v2.models.ServerSideEncryptionRule(
                apply_server_side_encryption_by_default=oss_v2.models.ApplyServerSideEncryptionByDefault(
                    sse_algorithm=rule.algorithm, kms_master_key_id=rule.key_id,
                    kms_data_encryption=rule.data_encryption)))
        with _v2_errors():
            return self._resp(self.client.put_bucket_encryption(req))

    def put_bucket_encryption_xml(self, bucket: str, xml: bytes) -> Response:
        """PutBucketEncryption with a body written by the test (the SDK's generic `invoke_operation`), for
        the XML shapes other clients send."""
        op = OperationInput(op_name="PutBucketEncryption", method="PUT",
                            headers={"Content-MD5": content_md5(xml), "Content-Type": "application/xml"},
                            parameters={"encryption": ""}, body=xml, bucket=bucket,
                            op_metadata={"sub-resource": ["encryption"]})
        with _v2_errors():
            out = self.client.invoke_operation(op)
        return Response(out.status_code, _ci(out.headers))

    def get_bucket_encryption(self, bucket):
        with _v2_errors():
            r = self.client.get_bucket_encryption(oss_v2.models.GetBucketEncryptionRequest(bucket=bucket))
        d = r.server_side_encryption_rule.apply_server_side_encryption_by_default
        return Sse(d.sse_algorithm, d.kms_master_key_id or None, d.kms_data_encryption or None)

    def delete_bucket_encryption(self, bucket):
        with _v2_errors():
            return self._resp(self.client.delete_bucket_encryption(
                oss_v2.models.DeleteBucketEncryptionRequest(bucket=bucket)))

    def bucket_info_encryption(self, bucket):
        with _v2_errors():
            r = self.client.get_bucket_info(oss_v2.models.GetBucketInfoRequest(bucket=bucket))
        rule = r.bucket_info.sse_rule
        if rule is None or rule.sse_algorithm in (None, "None"):
            return Sse(None)
        return Sse(rule.sse_algorithm, rule.kms_master_key_id or None)

    @staticmethod
    def _sse_fields(sse: Optional[Sse]) -> Dict[str, str]:
        if sse is None:
            return {}
        return {"server_side_encryption": sse.algorithm, "server_side_encryption_key_id": sse.key_id,
                "server_side_data_encryption": sse.data_encryption}

    def put_object(self, bucket, key, data, sse=None, content_type=None, metadata=None):
        req = oss_v2.models.PutObjectRequest(bucket=bucket, key=key, body=data, content_type=content_type,
                                             metadata=metadata, **self._sse_fields(sse))
        with _v2_errors():
            return self._resp(self.client.put_object(req))  # the SDK checks the CRC64 of the upload

    def get_object(self, bucket, key, byte_range=None, if_match=None, if_none_match=None,
                   if_modified_since=None, if_unmodified_since=None):
        req = oss_v2.models.GetObjectRequest(
            bucket=bucket, key=key,
            range_header=None if byte_range is None else f"bytes={byte_range[0]}-{byte_range[1]}",
            if_match=if_match, if_none_match=if_none_match, if_modified_since=if_modified_since,
            if_unmodified_since=if_unmodified_since)
        with _v2_errors():
            r = self.client.get_object(req)
            body = r.body.content
        return self._resp(r, body)

    def get_object_to_file(self, bucket: str, key: str, path: str) -> Response:
        """The SDK's download-to-file, which checks the CRC64 of what it wrote (its default)."""
        with _v2_errors():
            return self._resp(self.client.get_object_to_file(
                oss_v2.models.GetObjectRequest(bucket=bucket, key=key), path))

    def head_object(self, bucket, key):
        with _v2_errors():
            return self._resp(self.client.head_object(oss_v2.models.HeadObjectRequest(bucket=bucket, key=key)))

    def delete_object(self, bucket, key):
        with _v2_errors():
            return self._resp(self.client.delete_object(oss_v2.models.DeleteObjectRequest(bucket=bucket, key=key)))

    def copy_object(self, bucket, key, src_bucket, src_key, sse=None, metadata_directive=None, metadata=None):
        req = oss_v2.models.CopyObjectRequest(bucket=bucket, key=key, source_bucket=src_bucket,
                                              source_key=src_key, metadata_directive=metadata_directive,
                                              metadata=metadata, **self._sse_fields(sse))
        with _v2_errors():
            return self._resp(self.client.copy_object(req))

    def list_objects(self, bucket, prefix="", delimiter="", marker="", max_keys=100):
        req = oss_v2.models.ListObjectsRequest(bucket=bucket, prefix=prefix or None, delimiter=delimiter or None,
                                               marker=marker or None, max_keys=max_keys)
        with _v2_errors():
            r = self.client.list_objects(req)
        return Listing([o.key for o in (r.contents or [])], [p.prefix for p in (r.common_prefixes or [])],
                       bool(r.is_truncated), r.next_marker)

    def list_objects_v2(self, bucket, prefix="", delimiter="", token="", max_keys=100, start_after=""):
        req = oss_v2.models.ListObjectsV2Request(bucket=bucket, prefix=prefix or None,
                                                 delimiter=delimiter or None, continuation_token=token or None,
                                                 max_keys=max_keys, start_after=start_after or None)
        with _v2_errors():
            r = self.client.list_objects_v2(req)
        return Listing([o.key for o in (r.contents or [])], [p.prefix for p in (r.common_prefixes or [])],
                       bool(r.is_truncated), r.next_continuation_token)

    def multipart_upload(self, bucket, key, parts, sse=None):
        m = oss_v2.models
        with _v2_errors():
            init = self.client.initiate_multipart_upload(
                m.InitiateMultipartUploadRequest(bucket=bucket, key=key, **self._sse_fields(sse)))
            uploaded, part_responses = [], []
            for n, data in enumerate(parts, start=1):
                r = self.client.upload_part(m.UploadPartRequest(bucket=bucket, key=key, part_number=n,
                                                                upload_id=init.upload_id, body=data))
                part_responses.append(self._resp(r))
                uploaded.append(m.UploadPart(part_number=n, etag=r.etag))
            done = self.client.complete_multipart_upload(m.CompleteMultipartUploadRequest(
                bucket=bucket, key=key, upload_id=init.upload_id,
                complete_multipart_upload=m.CompleteMultipartUpload(parts=uploaded)))
        return self._resp(init), part_responses, self._resp(done)

    def upload_file(self, bucket: str, key: str, path: str, part_size: int):
        """The SDK's own uploader (multipart for a large file, parts in parallel, CRC64 checked); returns
        its `UploadResult` (upload_id, etag, hash_crc64)."""
        uploader = self.client.uploader(part_size=part_size, parallel_num=3)
        with _v2_errors():
            return uploader.upload_file(oss_v2.models.PutObjectRequest(bucket=bucket, key=key), filepath=path)

    def upload_part_with_headers(self, bucket, key, data, headers):
        m = oss_v2.models
        with _v2_errors():
            init = self.client.initiate_multipart_upload(m.InitiateMultipartUploadRequest(bucket=bucket, key=key))
            try:
                r = self.client.upload_part(m.UploadPartRequest(bucket=bucket, key=key, part_number=1,
                                                                upload_id=init.upload_id, body=data,
                                                                headers=dict(headers)))
            finally:
                with contextlib.suppress(Exception):
                    self.client.abort_multipart_upload(m.AbortMultipartUploadRequest(
                        bucket=bucket, key=key, upload_id=init.upload_id))
        return self._resp(r)

    def append_object(self, bucket, key, position, data, sse=None, init_crc=None):
        # The v2 SDK's append_object does not check CRC64 itself (only its append_file helper does); the
        # tests compare x-oss-hash-crc64ecma themselves.
        req = oss_v2.models.AppendObjectRequest(bucket=bucket, key=key, position=position, body=data,
                                                **self._sse_fields(sse))
        with _v2_errors():
            r = self.client.append_object(req)
        return r.next_position, self._resp(r)

    def presign(self, bucket, key, method, expires, headers=None):
        m = oss_v2.models
        headers = dict(headers or {})
        if method == "GET":
            req = m.GetObjectRequest(bucket=bucket, key=key)
        elif method == "PUT":
            req = m.PutObjectRequest(bucket=bucket, key=key, content_type=headers.pop("Content-Type", None))
        elif method == "HEAD":
            req = m.HeadObjectRequest(bucket=bucket, key=key)
        else:
            raise ValueError(method)
        assert not headers, "only Content-Type is mapped for presigned requests"
        return self.client.presign(req, expires=datetime.timedelta(seconds=expires)).url

    def get_bucket_location(self, bucket):
        with _v2_errors():
            return self.client.get_bucket_location(oss_v2.models.GetBucketLocationRequest(bucket=bucket)).location

    def get_bucket_cors(self, bucket):
        with _v2_errors():
            return self._resp(self.client.get_bucket_cors(oss_v2.models.GetBucketCorsRequest(bucket=bucket)))

    def delete_multiple(self, bucket, keys):
        m = oss_v2.models
        with _v2_errors():
            r = self.client.delete_multiple_objects(m.DeleteMultipleObjectsRequest(
                bucket=bucket, objects=[m.DeleteObject(key=k) for k in keys]))
        return [d.key for d in (r.deleted_objects or [])]

    def put_object_md5(self, bucket, key, data, md5):
        with _v2_errors():
            return self._resp(self.client.put_object(oss_v2.models.PutObjectRequest(
                bucket=bucket, key=key, body=data, content_md5=md5)))

    def get_object_overrides(self, bucket, key, content_type, content_disposition):
        with _v2_errors():
            r = self.client.get_object(oss_v2.models.GetObjectRequest(
                bucket=bucket, key=key, response_content_type=content_type,
                response_content_disposition=content_disposition))
            body = r.body.content
        return self._resp(r, body)

    def initiate_upload(self, bucket, key):
        with _v2_errors():
            return self.client.initiate_multipart_upload(
                oss_v2.models.InitiateMultipartUploadRequest(bucket=bucket, key=key)).upload_id

    def upload_part(self, bucket, key, upload_id, n, data):
        with _v2_errors():
            return self._resp(self.client.upload_part(oss_v2.models.UploadPartRequest(
                bucket=bucket, key=key, part_number=n, upload_id=upload_id, body=data)))

    def list_parts(self, bucket, key, upload_id):
        with _v2_errors():
            r = self.client.list_parts(oss_v2.models.ListPartsRequest(bucket=bucket, key=key, upload_id=upload_id))
        return [(p.part_number, p.etag, p.size) for p in (r.parts or [])]

    def list_uploads(self, bucket, prefix=""):
        with _v2_errors():
            r = self.client.list_multipart_uploads(oss_v2.models.ListMultipartUploadsRequest(
                bucket=bucket, prefix=prefix or None))
        return [(u.key, u.upload_id) for u in (r.uploads or [])]

    def abort_upload(self, bucket, key, upload_id):
        with _v2_errors():
            return self._resp(self.client.abort_multipart_upload(oss_v2.models.AbortMultipartUploadRequest(
                bucket=bucket, key=key, upload_id=upload_id)))


CLIENT_KINDS = ["oss2-v1", "oss2-v4", "ossv2-v4"]


def make_client(kind: str, endpoint: str, access_key_id: str, access_key_secret: str,
                security_token: Optional[str] = None) -> SdkClient:
    if kind == "oss2-v1":
        return Oss2Client(endpoint, access_key_id, access_key_secret, 1, security_token or "")
    if kind == "oss2-v4":
        return Oss2Client(endpoint, access_key_id, access_key_secret, 4, security_token or "")
    if kind == "ossv2-v4":
        return V2Client(endpoint, access_key_id, access_key_secret, 4, security_token)
    if kind == "ossv2-v1":
        return V2Client(endpoint, access_key_id, access_key_secret, 1, security_token)
    raise ValueError(kind)

