#!/usr/bin/env bash
# The acceptance test of the C++ layer: the three C++ samples of the OSS documentation, extracted byte for
# byte from the seed file, with only their Endpoint string changed to the emulator's, compiled with
#   c++ -std=c++11 -Wall -Wextra -Werror -Iinclude sample.cpp target/release/liboss_sse.a <system libs>
# and run in order. Another client (oss_sse_tool, over the C API) checks that afterwards the bucket's rule
# is KMS, that the second sample read it, and that the third removed it.
# Environment: SEED, LIB, SYS_LIBS, OUT (work dir), TOOL (oss_sse_tool), OSS_SSE_BIN, CXX.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
: "${SEED:?}" "${LIB:?}" "${OUT:?}" "${TOOL:?}"
SYS_LIBS="${SYS_LIBS:--lpthread -ldl -lm -lrt}"
CXX="${CXX:-c++}"
. "$here/emulator.sh"

if [ ! -f "$SEED" ]; then
    echo "seed-samples: the seed file $SEED is missing" >&2
    exit 1
fi
"$here/extract-seed-samples.sh" "$SEED" "$OUT"
ensure_endpoint
bucket=examplebucket
original='    std::string Endpoint = "https://oss-cn-hangzhou.aliyuncs.com";'

for n in 1 2 3; do
    src="$OUT/sample$n.cpp"
    cp "$src" "$src.orig"
    grep -qxF "$original" "$src" || { echo "sample$n: no Endpoint line to change" >&2; exit 1; }
    sed -i "s#^    std::string Endpoint = \"https://oss-cn-hangzhou.aliyuncs.com\";\$#    std::string Endpoint = \"$OSS_ENDPOINT\";#" "$src"
    # Exactly one line may differ from the original: the Endpoint.
    changed=$(diff "$src.orig" "$src" | grep -c '^[<>]' || true)
    if [ "$changed" -ne 2 ]; then
        echo "sample$n: the edit changed more than the Endpoint line" >&2
        exit 1
    fi
    (cd "$root" && "$CXX" -std=c++11 -Wall -Wextra -Werror -Iinclude "$src" "$LIB" $SYS_LIBS -o "$OUT/sample$n")
    echo "sample$n.cpp: compiled unchanged but for its Endpoint"
done

expect_rule() { # expected output of `oss_sse_tool enc-get`
    local got
    got="$("$TOOL" enc-get "$bucket")"
    if [ "$got" != "$1" ]; then
        echo "seed-samples: expected the bucket rule to be '$1', another client sees '$got'" >&2
        exit 1
    fi
    echo "    another client sees the rule: $got"
}

"$TOOL" mb "$bucket"
expect_rule none

echo "sample1 (SetBucketEncryption KMS):"
"$OUT/sample1"
expect_rule KMS

echo "sample2 (GetBucketEncryption):"
out2="$("$OUT/sample2")"
if [ -n "$out2" ]; then
    echo "$out2"
    echo "seed-samples: sample2 reported a failure" >&2
    exit 1
fi
echo "    sample2 read the rule (exit 0, no failure printed)"
expect_rule KMS

echo "sample3 (DeleteBucketEncryption):"
"$OUT/sample3"
expect_rule none

"$TOOL" rb "$bucket"
echo "seed-samples: the three samples compiled unchanged and did what they say"
