#!/usr/bin/env bash
# Extracts the three C++ samples of the OSS documentation page kept in the seed file, byte for byte:
# each runs from its `#include <alibabacloud/oss/OssClient.h>` line to the `}` that closes main().
# Usage: extract-seed-samples.sh SEED_FILE OUT_DIR
# Writes OUT_DIR/sample1.cpp (SetBucketEncryption), sample2.cpp (Get), sample3.cpp (Delete), and the
# extracted originals are checked to be exactly three.
set -euo pipefail
seed="$1"
out="$2"
mkdir -p "$out"
rm -f "$out"/sample*.cpp
awk -v out="$out" '
    $0 == "#include <alibabacloud/oss/OssClient.h>" { n++; file = out "/sample" n ".cpp"; copying = 1 }
    copying { print > file }
    copying && $0 == "}" { copying = 0; close(file) }
' "$seed"
count=$(ls "$out"/sample*.cpp 2>/dev/null | wc -l)
if [ "$count" -ne 3 ]; then
    echo "extract-seed-samples: expected 3 samples in $seed, found $count" >&2
    exit 1
fi
grep -q 'client.SetBucketEncryption' "$out/sample1.cpp"
grep -q 'client.GetBucketEncryption' "$out/sample2.cpp"
grep -q 'client.DeleteBucketEncryption' "$out/sample3.cpp"
