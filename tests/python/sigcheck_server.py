"""An independent check of oss-sse-client's signatures: a tiny HTTP server that recomputes the signature of
every request it receives with the official SDKs' signers (oss2 and alibabacloud-oss-v2, V1 and V4, header
and presigned-URL forms) and answers 403 SignatureDoesNotMatch on any disagreement, 200 otherwise.

    python sigcheck_server.py --access-key-id AK --access-key-secret SK [--region cn-hangzhou]

The first line on stdout is `listening on http://127.0.0.1:PORT`. Requests are addressed path-style
(`/bucket/key`), as the client addresses an IP endpoint. `GET /__sigcheck/stats` (not signed) returns JSON
`{"checked": N, "accepted": N, "mismatches": [...]}`. The server runs until stdin closes, so the test that
starts it can never leave it behind.

Only the clock is replaced: oss2 reads the time itself, so for one signing call its clock sources are frozen
at the time the request carries (its `Date`, `x-oss-date`, or presign expiry). Nothing here computes a
signature of its own: every signature compared is one an SDK produced.
"""

from __future__ import annotations

import argparse
import datetime
import email.utils
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import alibabacloud_oss_v2 as oss_v2
import oss2
import oss2.auth
import oss2.credentials
import oss2.http
from alibabacloud_oss_v2.signer import SignerV1, SignerV4
from alibabacloud_oss_v2.types import HttpRequest, SigningContext

# The oss2 clock freeze and the UTC helper are the cross-check's own (same directory).
from signing_oracle import frozen_oss2_clock as oss2_clock, utc

V1_SUBRESOURCES = frozenset(oss2.auth.ProviderAuth._subresource_key_set)
V1_PRESIGN_PARAMS = {"OSSAccessKeyId", "Expires", "Signature", "security-token"}
V4_PRESIGN_PARAMS = {
    "x-oss-signature-version",
    "x-oss-date",
    "x-oss-expires",
    "x-oss-credential",
    "x-oss-additional-headers",
    "x-oss-signature",
    "x-oss-security-token",
}


def parse_iso8601_basic(s: str) -> int:
    dt = datetime.datetime.strptime(s, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    return int(dt.timestamp())


def v4_fields(value: str) -> Dict[str, str]:
    """`OSS4-HMAC-SHA256 Credential=..,AdditionalHeaders=..,Signature=..` as a mapping, any order/spacing."""
    _, _, rest = value.partition(" ")
    out = {}
    for part in rest.split(","):
        name, _, val = part.strip().partition("=")
        out[name] = val
    return out


class Checker:
    """Recomputes signatures with both SDKs for the configured credentials."""

    def __init__(self, ak: str, sk: str, region: str):
        self.ak, self.sk, self.region = ak, sk, region
        self.lock = threading.Lock()
        self.checked = 0
        self.accepted = 0
        self.mismatches: List[str] = []

    # -- the request as the signers need it ---------------------------------------------------------------

    @staticmethod
    def split_target(target: str) -> Tuple[Optional[str], Optional[str], List[Tuple[str, str]]]:
        parts = urlsplit(target)
        path = parts.path
        query = parse_qsl(parts.query, keep_blank_values=True)
        segs = path.lstrip("/").split("/", 1)
        bucket = unquote(segs[0]) if segs[0] else None
        key = unquote(segs[1]) if len(segs) > 1 and segs[1] else None
        return bucket, key, query

    def provider(self, token: Optional[str]):
        return oss2.credentials.StaticCredentialsProvider(self.ak, self.sk, token or "")

    def v2_credentials(self, token: Optional[str]):
        return oss_v2.credentials.Credentials(self.ak, self.sk, token)

    @staticmethod
    def v2_url(bucket: Optional[str], key: Optional[str], params: Dict[str, str]) -> str:
        path = "/" if bucket is None else f"/{bucket}/" + (quote(key) if key else "")
        url = "http://127.0.0.1" + path
        if params:
            url += "?" + urlencode(params, quote_via=quote)
        return url

    # -- header mode ----------------------------------------------------------------------------------------

    def check_header(self, method, bucket, key, query, headers) -> List[str]:
        auth = headers.get("authorization", "")
        params = {k: v for k, v in query}
        token = headers.get("x-oss-security-token")
        sign_headers = {k: v for k, v in headers.items() if k not in ("authorization",)}
        problems = []
        if auth.startswith("OSS "):
            date = headers.get("date", "")
            ts = int(email.utils.parsedate_to_datetime(date).timestamp())
            # oss2
            req = oss2.http.Request(method, "http://127.0.0.1/", params=dict(params), headers=oss2.CaseInsensitiveDict(sign_headers))
            a = oss2.ProviderAuth(self.provider(token))
            with oss2_clock(ts):
                a._sign_request(req, bucket or "", key or "")
            if req.headers["authorization"] != auth:
                problems.append(f"oss2 V1 computed {req.headers['authorization']!r}, received {auth!r}")
            # alibabacloud-oss-v2
            r2 = HttpRequest(method, self.v2_url(bucket, key, params), headers=dict(sign_headers))
            ctx = SigningContext(
                product="oss", region=self.region, bucket=bucket, key=key, request=r2,
                credentials=self.v2_credentials(token), signing_time=utc(ts),
            )
            ctx.sub_resource = [k for k in params if k in V1_SUBRESOURCES]
            SignerV1().sign(ctx)
            if r2.headers["Authorization"] != auth:
                problems.append(f"oss-v2 V1 computed {r2.headers['Authorization']!r}, received {auth!r}")
        elif auth.startswith("OSS4-HMAC-SHA256 "):
            got = v4_fields(auth)
            ts = parse_iso8601_basic(headers.get("x-oss-date", ""))
            additional = set(h for h in got.get("AdditionalHeaders", "").split(";") if h) or None
            req = oss2.http.Request(
                method, "http://127.0.0.1/", params=dict(params), headers=oss2.CaseInsensitiveDict(sign_headers),
                region=self.region, product="oss",
            )
            a = oss2.ProviderAuthV4(self.provider(token))
            with oss2_clock(ts):
                a._sign_request(req, bucket or "", key or "", additional)
            want = v4_fields(req.headers["authorization"])
            for field in ("Credential", "Signature"):
                if want.get(field) != got.get(field):
                    problems.append(f"oss2 V4 {field} {want.get(field)!r}, received {got.get(field)!r}")
            r2 = HttpRequest(method, self.v2_url(bucket, key, params), headers=dict(sign_headers))
            ctx = SigningContext(
                product="oss", region=self.region, bucket=bucket, key=key, request=r2,
                credentials=self.v2_credentials(token), signing_time=utc(ts), additional_headers=additional,
            )
            SignerV4().sign(ctx)
            want2 = v4_fields(r2.headers["Authorization"])
            for field in ("Credential", "Signature"):
                if want2.get(field) != got.get(field):
                    problems.append(f"oss-v2 V4 {field} {want2.get(field)!r}, received {got.get(field)!r}")
        else:
            problems.append(f"no OSS Authorization header (got {auth!r})")
        return problems

    # -- presigned URLs ---------------------------------------------------------------------------------------

    def check_presign(self, method, bucket, key, query, headers) -> List[str]:
        q = dict(query)
        sign_headers = {k: v for k, v in headers.items() if k not in ("authorization",)}
        problems = []
        if "OSSAccessKeyId" in q:
            expires_at = int(q["Expires"])
            token = q.get("security-token")
            params = {k: v for k, v in query if k not in V1_PRESIGN_PARAMS}
            req = oss2.http.Request(method, "http://127.0.0.1/", params=dict(params), headers=oss2.CaseInsensitiveDict(sign_headers))
            a = oss2.ProviderAuth(self.provider(token))
            with oss2_clock(expires_at - 60):
                a._sign_url(req, bucket or "", key or "", 60)
            if req.params["Signature"] != q.get("Signature"):
                problems.append(f"oss2 V1 presign Signature {req.params['Signature']!r}, received {q.get('Signature')!r}")
            r2 = HttpRequest(method, self.v2_url(bucket, key, params), headers=dict(sign_headers))
            ctx = SigningContext(
                product="oss", region=self.region, bucket=bucket, key=key, request=r2,
                credentials=self.v2_credentials(token), signing_time=utc(expires_at - 60),
            )
            ctx.sub_resource = [k for k in params if k in V1_SUBRESOURCES]
            ctx.auth_method_query = True
            ctx.expiration_time = utc(expires_at)
            SignerV1().sign(ctx)
            got2 = dict(parse_qsl(urlsplit(r2.url).query, keep_blank_values=True)).get("Signature")
            if got2 != q.get("Signature"):
                problems.append(f"oss-v2 V1 presign Signature {got2!r}, received {q.get('Signature')!r}")
        elif q.get("x-oss-signature-version") == "OSS4-HMAC-SHA256":
            ts = parse_iso8601_basic(q["x-oss-date"])
            expires = int(q["x-oss-expires"])
            token = q.get("x-oss-security-token")
            additional = set(h for h in q.get("x-oss-additional-headers", "").split(";") if h) or None
            params = {k: v for k, v in query if k not in V4_PRESIGN_PARAMS}
            req = oss2.http.Request(
                method, "http://127.0.0.1/", params=dict(params), headers=oss2.CaseInsensitiveDict(sign_headers),
                region=self.region, product="oss",
            )
            a = oss2.ProviderAuthV4(self.provider(token))
            with oss2_clock(ts):
                a._sign_url(req, bucket or "", key or "", expires, additional)
            if req.params["x-oss-signature"] != q.get("x-oss-signature"):
                problems.append(
                    f"oss2 V4 presign signature {req.params['x-oss-signature']!r}, received {q.get('x-oss-signature')!r}"
                )
            r2 = HttpRequest(method, self.v2_url(bucket, key, params), headers=dict(sign_headers))
            ctx = SigningContext(
                product="oss", region=self.region, bucket=bucket, key=key, request=r2,
                credentials=self.v2_credentials(token), signing_time=utc(ts), additional_headers=additional,
            )
            ctx.auth_method_query = True
            ctx.expiration_time = utc(ts + expires)
            SignerV4().sign(ctx)
            got2 = dict(parse_qsl(urlsplit(r2.url).query, keep_blank_values=True)).get("x-oss-signature")
            if got2 != q.get("x-oss-signature"):
                problems.append(f"oss-v2 V4 presign signature {got2!r}, received {q.get('x-oss-signature')!r}")
        else:
            problems.append("not a presigned URL")
        return problems

    def check(self, method: str, target: str, headers: Dict[str, str]) -> List[str]:
        bucket, key, query = self.split_target(target)
        keys = {k for k, _ in query}
        try:
            if "authorization" in headers:
                problems = self.check_header(method, bucket, key, query, headers)
            elif keys & {"OSSAccessKeyId", "x-oss-signature"}:
                problems = self.check_presign(method, bucket, key, query, headers)
            else:
                problems = ["anonymous request"]
        except Exception as e:  # a request the SDKs cannot even sign is a mismatch too
            problems = [f"SDK signer failed: {type(e).__name__}: {e}"]
        with self.lock:
            self.checked += 1
            if problems:
                self.mismatches.append(f"{method} {target}: " + "; ".join(problems))
            else:
                self.accepted += 1
        return problems


def make_handler(checker: Checker):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # quiet: the stats endpoint reports
            pass

        def answer(self, status: int, body: bytes, content_type: str = "application/xml"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body) if self.command != "HEAD" else 0))
            self.send_header("x-oss-request-id", "0" * 24)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            if self.path.startswith("/__sigcheck/stats"):
                with checker.lock:
                    doc = {"checked": checker.checked, "accepted": checker.accepted, "mismatches": checker.mismatches}
                self.answer(200, json.dumps(doc).encode(), "application/json")
                return
            # RFC 9110: a field value excludes leading and trailing whitespace; http.server keeps the
            # trailing part, which no real HTTP stack in front of OSS would.
            headers = {k.lower(): v.strip() for k, v in self.headers.items()}
            problems = checker.check(self.command, self.path, headers)
            if problems:
                msg = "; ".join(problems).replace("&", "&amp;").replace("<", "&lt;")
                body = (
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code>"
                    f"<Message>{msg}</Message><RequestId>{'0' * 24}</RequestId></Error>"
                ).encode()
                self.answer(403, body)
            else:
                self.answer(200, b"")

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any

    return Handler


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--access-key-id", required=True)
    p.add_argument("--access-key-secret", required=True)
    p.add_argument("--region", default="cn-hangzhou")
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args()
    checker = Checker(args.access_key_id, args.access_key_secret, args.region)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(checker))
    server.daemon_threads = True
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # Stop when the parent closes our stdin (or dies).
    sys.stdin.read()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
