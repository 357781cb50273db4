"""Generates the cross-check requests: varied, reproducible (fixed seed), restricted to what is well-defined.

Each generated `SignCase` is signed by the official SDKs and by `oss-sse sign`. Where the SDKs disagree
with each other, or leave a case undefined, generation stays clear of it; every such restriction is
written down next to the code that enforces it (search for "RESTRICTION").
"""

from __future__ import annotations

import base64
import hashlib
import random
from typing import List, Optional, Tuple

from signing_oracle import V1_SUBRESOURCES, SignCase, http_date

SEED = 20231216

METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD"]

BUCKETS = ["examplebucket", "bucket", "my-bucket-01", "a1b", "logs-2024-cn", "x" * 63, "0-9-0"]

CREDENTIALS = [
    ("ak", "sk"),
    ("LTAI5tExampleAccessKey01", "ExampleSecretKey+/With=Base64Chars"),
    ("STS.NUexampleTempKey", "tmp/secret+value=="),
    ("AKIDz9", "a" * 40),
]

REGIONS = ["cn-hangzhou", "cn-shanghai", "cn-beijing", "us-west-1", "ap-southeast-1", "eu-central-1"]

# Endpoints, each with the region `oss-sse` must derive from it (None: an IP, which names no region).
ENDPOINTS: List[Tuple[str, Optional[str]]] = [
    ("https://oss-cn-hangzhou.aliyuncs.com", "cn-hangzhou"),
    ("http://oss-cn-shanghai.aliyuncs.com", "cn-shanghai"),
    ("https://oss-ap-southeast-1-internal.aliyuncs.com", "ap-southeast-1"),
    ("https://oss-us-west-1.aliyuncs.com", "us-west-1"),
    ("http://127.0.0.1:9000", None),
    ("http://127.0.0.1:38123", None),
]

# Bare hosts (no scheme) are accepted by `--endpoint` too; used in header mode only, where the scheme a bare
# host defaults to does not matter.
BARE_ENDPOINTS: List[Tuple[str, Optional[str]]] = [
    ("oss-cn-beijing.aliyuncs.com", "cn-beijing"),
    ("oss-eu-central-1-internal.aliyuncs.com", "eu-central-1"),
]

KEY_PIECES = [
    "object", "path/to/object.bin", "dir/", "a b", "with  two  spaces", "plus+sign", "%2F", "%20", "100%",
    "tilde~", "a/b/c", "中文", "文件 名.txt", "ÄÖÜäöüß", "日本語/ファイル", "emoji-😀", "=", "&", "!", "'",
    "(x)", "*", ",", ";", ":", "@", "$", "#frag", "?q", "[]", "{}", "^", "`", "|", "\\", '"quoted"',
    "..", ".", "_", "-", "Mixed.Case.TXT", "1234+-/123/1.txt", "/leading-slash", "trailing-slash/",
    "double//slash", "é", "\u00a0nbsp", "\u2028sep",
]

HEADER_VALUE_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.~+/=;,:%&*!()'\"@"


def _md5_b64(rng: random.Random) -> str:
    data = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64)))
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def _header_value(rng: random.Random) -> str:
    # RESTRICTION: header values are printable ASCII without leading/trailing whitespace. REFERENCE.md says
    # a signer trims values, but neither SDK trims (they sign the value as given), so a padded value has no
    # agreed signature; and non-ASCII header values are not transmittable as such over HTTP/1.1.
    n = rng.randint(1, 40)
    v = "".join(rng.choice(HEADER_VALUE_CHARS) for _ in range(n)).strip()
    return v or "v"


def _key(rng: random.Random) -> str:
    if rng.random() < 0.02:
        # A long key, close to OSS's 1023-byte limit.
        k = "long/" + "k" * 900 + "/" + "中" * 30
        return k
    n = rng.randint(1, 5)
    sep = rng.choice(["", "/", " ", "-"])
    k = sep.join(rng.choice(KEY_PIECES) for _ in range(n))
    # RESTRICTION: oss2's `Bucket.sign_url` refuses keys starting with '?' (its strict object-name check),
    # so such keys are prefixed.
    if k.startswith("?"):
        k = "k" + k
    return k


def _subresource_value(rng: random.Random, name: str) -> Optional[str]:
    if name == "uploadId":
        return "%032X" % rng.getrandbits(128)
    if name == "partNumber":
        return str(rng.randint(1, 10000))
    if name in ("position",):
        return str(rng.randint(0, 1 << 40))
    if name.startswith("response-content-type"):
        return rng.choice(["text/plain", "text/html; charset=utf-8", "application/octet-stream"])
    if name == "response-content-disposition":
        return rng.choice(['attachment; filename="a b.txt"', "inline", "attachment; filename*=UTF-8''%E4%B8%AD"])
    if name == "response-expires":
        return http_date(rng.randint(1_600_000_000, 1_900_000_000))
    if name in ("versionId", "continuation-token"):
        return rng.choice(["CAEQNhiBgMDJgZCA0BYiIDc4MGZjZGI2OTBjOTRmNTE5NmU5NmFmZjEzN2Q0****", "v1+/=x", "tok en"])
    if name == "x-oss-process":
        return rng.choice(["image/resize,w_100", "image/rotate,90/format,png", "video/snapshot,t_1000"])
    if name in ("acl", "uploads", "encryption", "delete", "bucketInfo", "location", "stat", "append",
                "tagging", "objectMeta", "symlink", "restore", "cors", "lifecycle", "website", "versioning"):
        return None if rng.random() < 0.85 else _query_value(rng)
    return None if rng.random() < 0.4 else _query_value(rng)


def _query_value(rng: random.Random) -> str:
    return rng.choice([
        "value", "value1", "a b", "a+b", "a/b", "100%", "%2F", "~tilde", "中文", "=eq", "x=y", "a&b", "#h",
        "ÄÖ", "😀", "1", "0", "true", "-dash", "with  spaces", "'q'", "(p)", "*star*", "[x]",
    ])


PLAIN_QUERY_KEYS = [
    "prefix", "delimiter", "marker", "max-keys", "list-type", "start-after", "encoding-type", "fetch-owner",
    "param1", "param2", "+param1", "|param1", "+param2", "a b", "中", "k~", "UPPER", "x.y", "%weird",
    "key*", "(paren)", "!bang",
]

# Query keys that a presigned URL reserves for itself (the signers set them).
V1_RESERVED_QUERY = {"OSSAccessKeyId", "Expires", "Signature", "security-token"}
V4_RESERVED_QUERY = {
    "x-oss-signature-version", "x-oss-date", "x-oss-expires", "x-oss-credential", "x-oss-signature",
    "x-oss-additional-headers", "x-oss-security-token",
}


def _query(rng: random.Random, version: int) -> List[Tuple[str, Optional[str]]]:
    subresources = sorted(V1_SUBRESOURCES - V1_RESERVED_QUERY - V4_RESERVED_QUERY)
    favourites = ["acl", "uploadId", "partNumber", "encryption", "response-content-type", "uploads",
                  "versionId", "x-oss-process", "response-content-disposition", "continuation-token"]
    out = {}
    for _ in range(rng.choice([0, 0, 1, 1, 2, 2, 3, 4, 6])):
        r = rng.random()
        if r < 0.35:
            k = rng.choice(favourites)
            out[k] = _subresource_value(rng, k)
        elif r < 0.55:
            k = rng.choice(subresources)
            out[k] = _subresource_value(rng, k)
        else:
            k = rng.choice(PLAIN_QUERY_KEYS)
            # RESTRICTION: a key with an empty value (`k=`) and a key without one (`k`) are the same to both
            # SDKs (their query is a mapping; an empty value is written as the bare key), and the CLI
            # contract only offers `--query 'k=v'` and `--query 'k'`, so empty values are never generated.
            out[k] = None if rng.random() < 0.3 else _query_value(rng)
        if version == 4 and rng.random() < 0.1:
            # V4 signs every query parameter, x-oss-* ones included.
            # RESTRICTION: V1 never gets an x-oss-* query key that is not in the signed sub-resource list:
            # oss2 and alibabacloud-oss-v2 do not sign those, while (REFERENCE.md) the newer Go SDK does.
            out[rng.choice(["x-oss-traffic-limit", "x-oss-request-payer", "x-oss-custom"])] = _query_value(rng)
    # RESTRICTION: 'cloudboxes' is a V1 sub-resource of alibabacloud-oss-v2 only (not in oss2's list nor
    # REFERENCE.md's): the two SDKs disagree on it, so it is never generated (nor is it in `subresources`).
    out.pop("cloudboxes", None)
    return list(out.items())


SIGNED_HEADERS_POOL = [
    ("x-oss-meta-author", None), ("X-Oss-Meta-Magic", None), ("x-oss-meta-x_y.z", None),
    ("x-oss-server-side-encryption", ["AES256", "KMS", "SM4"]),
    ("x-oss-server-side-encryption-key-id", ["9468da86-3509-4f8d-a61e-6eab1eac****", "alias/acs/oss"]),
    ("x-oss-server-side-data-encryption", ["SM4"]),
    ("x-oss-object-acl", ["private", "public-read", "default"]),
    ("x-oss-storage-class", ["Standard", "IA", "Archive"]),
    ("x-oss-copy-source", ["/srcbucket/src%20key.txt", "/b/%E4%B8%AD"]),
    ("x-oss-forbid-overwrite", ["true", "false"]),
    ("x-oss-tagging", ["a=1&b=2", "k=v"]),
    ("X-OSS-Metadata-Directive", ["COPY", "REPLACE"]),
    ("x-oss-meta-empty-ish", ["-"]),
]

UNSIGNED_HEADERS_POOL = [
    ("Cache-Control", ["no-cache", "max-age=3600, public"]),
    ("Content-Disposition", ['attachment; filename="a b.txt"', "inline"]),
    ("Content-Encoding", ["gzip", "identity"]),
    ("Content-Language", ["zh-CN", "en"]),
    ("Range", ["bytes=0-99", "bytes=100-"]),
    ("If-None-Match", ['"5B3C1A2E053D763E1B002CC607C5A0FE"', "*"]),
    ("If-Match", ['"D41D8CD98F00B204E9800998ECF8427E"']),
    ("If-Modified-Since", ["Fri, 13 Nov 2015 14:47:53 GMT"]),
    ("Expires", ["Thu, 01 Dec 1994 16:00:00 GMT"]),
    ("X-Custom-Header", None),
    ("abc", ["value"]),
    ("ZAbc", ["value"]),
]

CONTENT_TYPES = ["text/plain", "text/html; charset=utf-8", "application/octet-stream", "image/jpeg",
                 "application/xml", "multipart/form-data; boundary=----x"]


def _headers(rng: random.Random, version: int, presign: bool) -> Tuple[List[Tuple[str, str]], List[str]]:
    """Headers and, for V4, the additional header names to sign."""
    headers = {}
    names_lower = set()

    def add(name: str, value: str) -> None:
        # RESTRICTION: one header of each name: the SDKs keep headers in a case-insensitive mapping, so a
        # repeated name has no two-valued meaning to compare.
        if name.lower() in names_lower:
            return
        names_lower.add(name.lower())
        headers[name] = value

    if rng.random() < 0.5:
        add(rng.choice(["Content-Type", "content-type", "CONTENT-TYPE"]), rng.choice(CONTENT_TYPES))
    if rng.random() < 0.35:
        add(rng.choice(["Content-MD5", "content-md5"]), _md5_b64(rng))
    for _ in range(rng.choice([0, 1, 1, 2, 3, 4])):
        name, values = rng.choice(SIGNED_HEADERS_POOL)
        add(name, rng.choice(values) if values else _header_value(rng))
    if version == 1 and not presign and rng.random() < 0.15:
        # V1 puts the x-oss-date header's value in the Date slot when it is present (both SDKs do).
        # RESTRICTION: not in V1 presign mode: there oss2 would still take x-oss-date for the Date slot while
        # alibabacloud-oss-v2 (and REFERENCE.md) use Expires; the SDKs disagree.
        add("x-oss-date", http_date(rng.randint(1_600_000_000, 1_900_000_000)))
    # RESTRICTION: never an x-oss-date header in V4 (the signer sets it to the signing time, both SDKs
    # overwrite a given one) nor an x-oss-content-sha256 header (both SDKs overwrite it with
    # UNSIGNED-PAYLOAD in header mode), nor x-oss-security-token (set from --security-token).
    unsigned = []
    for _ in range(rng.choice([0, 0, 1, 2, 3])):
        name, values = rng.choice(UNSIGNED_HEADERS_POOL)
        if name.lower() in names_lower:
            continue
        add(name, rng.choice(values) if values else _header_value(rng))
        unsigned.append(name)
    additional: List[str] = []
    if version == 4 and unsigned and rng.random() < 0.7:
        # RESTRICTION: additional headers are always headers the request carries. For a listed header the
        # request lacks, oss2 (header mode) still names it in AdditionalHeaders while alibabacloud-oss-v2
        # drops it: the SDKs disagree.
        chosen = rng.sample(unsigned, rng.randint(1, len(unsigned)))
        additional = [rng.choice([n, n.lower(), n.upper()]) for n in chosen]
    if version == 4 and rng.random() < 0.08:
        # Naming an already-signed header (x-oss-*, content-type, content-md5) as additional: both SDKs
        # leave it out of AdditionalHeaders, as it is signed anyway.
        present_signed = [n for n in headers if n.lower().startswith("x-oss-") or
                          n.lower() in ("content-type", "content-md5")]
        if present_signed:
            additional.append(rng.choice(present_signed))
    items = list(headers.items())
    rng.shuffle(items)
    return items, additional


def _token(rng: random.Random) -> Optional[str]:
    if rng.random() < 0.25:
        return rng.choice([
            "CAIS+token/with=base64chars==",
            "STS.token.simple",
            "CAISwgJ1q6Ft5B2yfSjIr5bwAteHpbF1" + "x" * 40 + "/Rz+Y=",
        ])
    return None


def _time(rng: random.Random) -> int:
    # Around day boundaries too, so a date that rolls over between x-oss-date and the scope shows up.
    base = rng.randint(1_577_836_800, 1_893_456_000)  # 2020-01-01 .. 2030-01-01
    if rng.random() < 0.15:
        base = base - base % 86400 + rng.choice([0, 1, 86399])
    return base


def generate(version: int, presign: bool, count: int, seed_offset: int) -> List[SignCase]:
    """`count` reproducible cases of one signature version and mode."""
    rng = random.Random(SEED * 10 + version * 2 + int(presign) + seed_offset)
    cases: List[SignCase] = []
    for i in range(count):
        ak, sk = rng.choice(CREDENTIALS)
        method = rng.choice(METHODS)
        bucket = rng.choice(BUCKETS)
        # Presigned URLs are for objects (oss2's sign_url requires a key).
        key = _key(rng) if (presign or rng.random() < 0.8) else None
        headers, additional = _headers(rng, version, presign)
        if presign:
            endpoint, derived = rng.choice(ENDPOINTS)
        elif rng.random() < 0.15:
            endpoint, derived = None, None
        else:
            endpoint, derived = rng.choice(ENDPOINTS + BARE_ENDPOINTS)
        region = rng.choice(REGIONS)
        pass_region = True
        if version == 4 and derived is not None and rng.random() < 0.6:
            # Let oss-sse derive the region from the endpoint (the SDKs are given it explicitly).
            region, pass_region = derived, False
        if version == 1:
            # The V1 signature does not depend on the region.
            pass_region = rng.random() < 0.3
        case = SignCase(
            version=version,
            method=method,
            bucket=bucket,
            key=key,
            access_key_id=ak,
            access_key_secret=sk,
            time=_time(rng),
            endpoint=endpoint,
            region=region,
            pass_region=pass_region,
            pass_product=rng.random() < 0.2,
            headers=headers,
            query=_query(rng, version),
            additional_headers=additional,
            security_token=_token(rng),
            presign=presign,
            expires=rng.choice([1, 60, 599, 900, 3600, 86400, 604800]) if presign else 0,
            label=f"v{version}-{'presign' if presign else 'header'}-{i:03d}",
        )
        if version == 1 and not presign and rng.random() < 0.1 and not any(
            n.lower() == "date" for n, _ in case.headers
        ):
            # "--time sets the Date header unless a Date header is given": give one instead of --time.
            case.headers.append(("Date", http_date(case.time)))
            case.pass_time = False
        if version == 4 and rng.random() < 0.05:
            # A Date header is not part of the V4 signature.
            case.headers.append(("Date", http_date(rng.randint(1_600_000_000, 1_900_000_000))))
        cases.append(case)
    return cases


V1_HEADER_CASES = generate(1, False, 300, 0)
V1_PRESIGN_CASES = generate(1, True, 150, 0)
V4_HEADER_CASES = generate(4, False, 300, 0)
V4_PRESIGN_CASES = generate(4, True, 150, 0)
ALL_CASES = V1_HEADER_CASES + V1_PRESIGN_CASES + V4_HEADER_CASES + V4_PRESIGN_CASES
