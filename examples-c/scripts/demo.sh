#!/usr/bin/env bash
# `make demo`: starts the emulator in a temporary directory, runs the C++ and C examples against it,
# uploads and downloads an SSE-KMS and an SSE-OSS object showing their headers, shows the KMS metering,
# shows that the bytes at rest are ciphertext, and stops the emulator.
# Environment: BUILD (the built examples), OSS_SSE_BIN.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${BUILD:?}" "${OSS_SSE_BIN:?}"
. "$here/emulator.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

unset OSS_ENDPOINT
trap stop_emulator EXIT
say "1. Start the emulator: oss-sse serve --listen 127.0.0.1:0 --data-dir <temp dir>"
start_emulator

say "2. The C++ example (the SDK's API: OssClient, SetBucketEncryptionRequest, ...)"
"$BUILD/cpp_sse_example" demo-cpp

say "3. The C example (oss_sse.h)"
"$BUILD/sse_example" demo-c

work="$(mktemp -d "${TMPDIR:-/tmp}/oss-sse-demo.XXXXXX")"
trap 'stop_emulator; rm -rf "$work"' EXIT
marker="OSS-SSE-DEMO-PLAINTEXT-$$-$RANDOM"
for i in $(seq 1 2000); do echo "$marker line $i"; done > "$work/plain.txt"
bucket=demo-objects
"$BUILD/oss_sse_tool" mb "$bucket"

say "4. Upload an SSE-KMS object (x-oss-server-side-encryption: KMS) and an SSE-OSS one (AES256)"
"$BUILD/oss_sse_tool" put "$bucket" secret-kms.txt "$work/plain.txt" KMS
"$BUILD/oss_sse_tool" put "$bucket" secret-oss.txt "$work/plain.txt" AES256

say "5. Download both: the plaintext comes back, with the encryption headers"
"$BUILD/oss_sse_tool" get "$bucket" secret-kms.txt "$work/kms.out"
"$BUILD/oss_sse_tool" get "$bucket" secret-oss.txt "$work/oss.out"
cmp "$work/plain.txt" "$work/kms.out"
cmp "$work/plain.txt" "$work/oss.out"
echo "both downloads are byte for byte the upload ($(wc -c < "$work/plain.txt") bytes)"

say "6. Stop the emulator (its data dir is kept for the next two steps, then removed)"
data="$EMULATOR_DATA"
KEEP_DATA=1 stop_emulator
trap 'rm -rf "$work" "$data" "$data.log" "$data.log.err"' EXIT

say "7. KMS metering: oss-sse kms --keystore <the emulator's keystore> usage"
keystore="$(find "$data" -name keystore.json -printf '%h\n' 2>/dev/null | head -n 1)"
if [ -z "$keystore" ]; then
    echo "demo: no KMS keystore (a directory with keystore.json) under $data" >&2
    exit 1
fi
echo "keystore: $keystore"
"$OSS_SSE_BIN" kms --keystore "$keystore" usage

say "8. The bytes at rest are ciphertext: the plaintext marker is nowhere in the data dir"
echo "marker: $marker (both objects are still stored)"
if grep -r -a -l -F "$marker" "$data"; then
    echo "demo: the plaintext was found at rest in the files above" >&2
    exit 1
fi
echo "grep -r -F \"$marker\" $data: no match in $(find "$data" -type f | wc -l) files"
largest="$(find "$data" -type f -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2-)"
echo "the largest stored file, $largest, begins:"
od -A x -t x1z -N 64 "$largest"
echo "demo: done"
