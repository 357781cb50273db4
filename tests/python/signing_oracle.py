"""Drives the official OSS Python SDKs' signers offline, at a fixed time, and runs `oss-sse sign`.

The SDKs are the oracle for the cross-check: this module builds each SDK's own request objects and calls its
own signer (oss2's `ProviderAuth` / `ProviderAuthV4`, and `Bucket.sign_url` for presigned URLs, which also
builds the URL; alibabacloud-oss-v2's `SignerV1` / `SignerV4` on its `HttpRequest` and `SigningContext`).
Nothing is sent anywhere. The only SDK behaviour replaced is the clock: oss2 reads the time itself, so its
clock sources are patched for the duration of one call; alibabacloud-oss-v2 takes the signing time as input.
"""

from __future__ import annotations

import contextlib
import datetime
import email.utils
import os
import subprocess
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple
from unittest import mock
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import alibabacloud_oss_v2 as oss_v2
import oss2
import oss2.auth
import oss2.credentials
import oss2.http
from alibabacloud_oss_v2.signer import SignerV1, SignerV4
from alibabacloud_oss_v2.types import HttpRequest, SigningContext

REPO_ROOT = Path(__file__).resolve().parents[2]


def oss_sse_bin() -> str:
    """Path of the `oss-sse` binary under test (env OSS_SSE_BIN, default target/debug/oss-sse)."""
    return os.environ.get("OSS_SSE_BIN") or str(REPO_ROOT / "target" / "debug" / "oss-sse")


@dataclass
class SignCase:
    """One request to sign, described once and handed to every signer."""

    version: int  # 1 or 4
    method: str
    bucket: str
    key: Optional[str]
    access_key_id: str
    access_key_secret: str
    time: int  # unix seconds: the signing time
    endpoint: Optional[str] = None  # passed to `oss-sse sign --endpoint` when set
    region: Optional[str] = None  # the V4 signing region the SDKs are given
    pass_region: bool = True  # whether `--region` is passed (else oss-sse derives it from the endpoint)
    pass_product: bool = False  # whether `--product oss` is passed explicitly
    pass_time: bool = True  # False: V1 header mode takes its time from a `Date` header instead
    headers: List[Tuple[str, str]] = field(default_factory=list)
    query: List[Tuple[str, Optional[str]]] = field(default_factory=list)  # None: a key without value
    additional_headers: List[str] = field(default_factory=list)
    security_token: Optional[str] = None
    presign: bool = False
    expires: int = 0
    label: str = ""

    def cli_args(self) -> List[str]:
        """The `oss-sse sign` arguments for this case (all as `--flag=value`, so values may start with '-')."""
        args = ["sign", f"--signature-version={self.version}", f"--method={self.method}"]
        if self.endpoint is not None:
            args.append(f"--endpoint={self.endpoint}")
        args.append(f"--bucket={self.bucket}")
        if self.key is not None:
            args.append(f"--key={self.key}")
        for name, value in self.headers:
            args.append(f"--header={name}: {value}")
        for k, v in self.query:
            args.append(f"--query={k}" if v is None else f"--query={k}={v}")
        for name in self.additional_headers:
            args.append(f"--additional-header={name}")
        if self.region is not None and self.pass_region:
            args.append(f"--region={self.region}")
        if self.pass_product:
            args.append("--product=oss")
        if self.pass_time:
            args.append(f"--time={self.time}")
        if self.security_token is not None:
            args.append(f"--security-token={self.security_token}")
        if self.presign:
            args += ["--presign", f"--expires={self.expires}"]
        return args

    def env(self) -> Dict[str, str]:
        """The environment `oss-sse sign` runs in: this case's credentials, no ambient session token."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_")}
        env["OSS_ACCESS_KEY_ID"] = self.access_key_id
        env["OSS_ACCESS_KEY_SECRET"] = self.access_key_secret
        return env

    def query_dict(self) -> Dict[str, str]:
        """The query as the SDKs take it (a mapping; a key without value maps to '')."""
        return {k: ("" if v is None else v) for k, v in self.query}

    def describe(self) -> str:
        """A reproducible description of the request, for failure messages."""
        cmd = " ".join(_shell_quote(a) for a in [oss_sse_bin()] + self.cli_args())
        return (
            f"[{self.label}] OSS_ACCESS_KEY_ID={_shell_quote(self.access_key_id)} "
            f"OSS_ACCESS_KEY_SECRET={_shell_quote(self.access_key_secret)} {cmd}"
        )


def _shell_quote(s: str) -> str:
    if s and all(c.isalnum() or c in "-_=./:," for c in s):
        return s
    return "'" + s.replace("'", "'\\''") + "'"


# ---------------------------------------------------------------------------------------------------------
# Time helpers


def http_date(ts: int) -> str:
    """RFC 1123 date as both SDKs write the V1 Date header."""
    return email.utils.formatdate(ts, usegmt=True)


def iso8601_basic(ts: int) -> str:
    """The V4 `x-oss-date` form."""
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def utc(ts: int) -> datetime.datetime:
    """An aware UTC datetime, the form alibabacloud-oss-v2 takes its signing time in."""
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)


@contextlib.contextmanager
def frozen_oss2_clock(ts: int):
    """Makes oss2 sign at `ts`: it reads `time.time()` (V1 presign, and the RFC 1123 Date through
    `email.utils.formatdate`) and `datetime.utcnow()` (V4) itself, with no way to pass a time in."""
    fixed_naive = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).replace(tzinfo=None)

    class FrozenDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):  # noqa: D102 - the one clock oss2's V4 signer reads
            return fixed_naive

    fake_time = types.SimpleNamespace(time=lambda: float(ts))
    with mock.patch.object(oss2.auth, "datetime", FrozenDatetime), mock.patch.object(
        oss2.auth, "time", fake_time
    ), mock.patch.object(email.utils, "time", fake_time):
        yield


# ---------------------------------------------------------------------------------------------------------
# oss2


def _oss2_provider(case: SignCase):
    return oss2.credentials.StaticCredentialsProvider(
        case.access_key_id, case.access_key_secret, case.security_token or ""
    )


def _oss2_auth(case: SignCase):
    if case.version == 1:
        if case.security_token is None:
            return oss2.Auth(case.access_key_id, case.access_key_secret)
        return oss2.ProviderAuth(_oss2_provider(case))
    return oss2.ProviderAuthV4(_oss2_provider(case))


def _sdk_sign_time(case: SignCase) -> int:
    """The time the SDK must sign at: `--time`, or (V1 header mode without it) the given Date header."""
    if case.pass_time:
        return case.time
    for name, value in case.headers:
        if name.lower() == "date":
            parsed = email.utils.parsedate_to_datetime(value)
            return int(parsed.timestamp())
    raise ValueError("a case without --time must carry a Date header")


def oss2_header(case: SignCase) -> str:
    """The Authorization header value oss2 computes for `case` (header mode)."""
    assert not case.presign
    auth = _oss2_auth(case)
    headers = oss2.CaseInsensitiveDict(dict(case.headers))
    url = "http://oss-example.invalid/"  # not used by the signer: it signs bucket, key, params, headers
    req = oss2.http.Request(
        case.method,
        url,
        params=case.query_dict(),
        headers=headers,
        region=case.region,
        product="oss",
    )
    ts = _sdk_sign_time(case)
    with frozen_oss2_clock(ts):
        if case.version == 1:
            auth._sign_request(req, case.bucket, case.key or "")
            assert req.headers["date"] == http_date(ts), "oss2's clock was not frozen"
        else:
            auth._sign_request(req, case.bucket, case.key or "", set(case.additional_headers))
            assert req.headers["x-oss-date"] == iso8601_basic(ts), "oss2's clock was not frozen"
    return req.headers["authorization"]


def oss2_presign(case: SignCase) -> str:
    """The presigned URL oss2's public `Bucket.sign_url` makes for `case`."""
    assert case.presign and case.key
    bucket = oss2.Bucket(_oss2_auth(case), case.endpoint, case.bucket, region=case.region)
    with frozen_oss2_clock(case.time):
        return bucket.sign_url(
            case.method,
            case.key,
            case.expires,
            headers=dict(case.headers),
            params=case.query_dict(),
            additional_headers=set(case.additional_headers) if case.version == 4 else None,
        )


# ---------------------------------------------------------------------------------------------------------
# alibabacloud-oss-v2


def v2_request_url(case: SignCase) -> str:
    """The request URL as the v2 client forms it: path-style here (the host is not signed), the key quoted,
    the query `urlencode(..., quote_via=quote)`-encoded as its `build_request_context` does."""
    path = f"/{case.bucket}/"
    if case.key is not None:
        path += quote(case.key)
    url = "http://127.0.0.1" + path
    if case.query:
        url += "?" + urlencode(case.query_dict(), quote_via=quote)
    return url


def v2_sign(case: SignCase) -> HttpRequest:
    """Signs `case` with alibabacloud-oss-v2's own signer; returns the signed `HttpRequest`."""
    request = HttpRequest(case.method, v2_request_url(case), headers=dict(case.headers))
    ctx = SigningContext(
        product="oss",
        region=case.region,
        bucket=case.bucket,
        key=case.key,
        request=request,
        credentials=oss_v2.credentials.Credentials(
            case.access_key_id, case.access_key_secret, case.security_token
        ),
        signing_time=utc(_sdk_sign_time(case)),
        additional_headers=set(case.additional_headers) if case.version == 4 else None,
    )
    if case.version == 1:
        # The v2 SDK's V1 signer signs a shorter built-in list of sub-resources plus whatever each operation
        # declares as its own (`op_metadata["sub-resource"]`, e.g. PutBucketEncryption declares
        # "encryption"). Declaring every query key that is in oss2's list (REFERENCE.md's list) reproduces
        # what the matching v2 operation would send.
        ctx.sub_resource = [k for k, _ in case.query if k in V1_SUBRESOURCES]
    if case.presign:
        ctx.auth_method_query = True
        ctx.expiration_time = utc(case.time + case.expires)
    signer = SignerV1() if case.version == 1 else SignerV4()
    signer.sign(ctx)
    return request


def v2_header(case: SignCase) -> str:
    """The Authorization header value alibabacloud-oss-v2 computes for `case` (header mode)."""
    assert not case.presign
    return v2_sign(case).headers["Authorization"]


def v2_presign(case: SignCase) -> str:
    """The presigned URL alibabacloud-oss-v2 computes for `case`."""
    assert case.presign
    return v2_sign(case).url


# The V1 signed sub-resources, taken from oss2 itself (REFERENCE.md section 4 lists the same set).
V1_SUBRESOURCES = frozenset(oss2.auth.ProviderAuth._subresource_key_set)


# ---------------------------------------------------------------------------------------------------------
# Comparing results


def parse_v4_authorization(value: str) -> Dict[str, str]:
    """Splits `OSS4-HMAC-SHA256 Credential=..,AdditionalHeaders=..,Signature=..` into its fields, in any
    order, with or without spaces after the commas (oss2 and the v2 SDK write them differently)."""
    scheme, _, rest = value.partition(" ")
    fields = {"scheme": scheme}
    for part in rest.split(","):
        name, _, val = part.strip().partition("=")
        fields[name] = val
    if "AdditionalHeaders" in fields:
        # oss2 sorts the names by their first character only; the signed (canonical) list is fully sorted.
        fields["AdditionalHeaders"] = ";".join(sorted(fields["AdditionalHeaders"].split(";")))
    return fields


def presign_parts(url: str) -> Tuple[str, Dict[str, str]]:
    """(decoded path, decoded query as a mapping) of a presigned URL: what a server receives, independent
    of how each signer chose to percent-encode or order it."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=False)
    query: Dict[str, str] = {}
    for k, v in pairs:
        assert k not in query, f"duplicate query parameter {k!r} in {url}"
        query[k] = v
    return unquote(parts.path), query


def presign_origin(url: str) -> str:
    """scheme://host of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# ---------------------------------------------------------------------------------------------------------
# oss-sse sign


class SignToolError(AssertionError):
    """`oss-sse sign` failed or printed nothing usable."""


def run_oss_sse_sign(case: SignCase) -> str:
    """Runs `oss-sse sign` for `case`; returns the last non-empty stdout line (the Authorization value or
    the presigned URL)."""
    proc = subprocess.run(
        [oss_sse_bin()] + case.cli_args(),
        env=case.env(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    if proc.returncode != 0:
        raise SignToolError(
            f"oss-sse sign exited {proc.returncode}: {proc.stderr.strip()}\n  request: {case.describe()}"
        )
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if not lines:
        raise SignToolError(f"oss-sse sign printed nothing\n  request: {case.describe()}")
    return lines[-1].strip()


def run_many(cases: Sequence[SignCase], workers: int = 4) -> List[object]:
    """Runs `oss-sse sign` for many cases a few at a time; each result is the output or the exception."""
    from concurrent.futures import ThreadPoolExecutor

    def one(c: SignCase):
        try:
            return run_oss_sse_sign(c)
        except Exception as e:  # reported per case by the caller
            return e

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, cases))
