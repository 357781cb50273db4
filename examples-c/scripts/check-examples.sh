#!/usr/bin/env bash
# Builds the examples plainly and with ASan+UBSan, and runs them against OSS_ENDPOINT (an emulator is
# started in a temp dir when it is unset): the C example, the C++ example and the hostile-call tests,
# first plainly, then under the sanitizers, then the C programs under valgrind memcheck (errors and
# definite or possible leaks fail the run).
# Environment: LIB (liboss_sse.a), BUILD (output dir), OSS_SSE_BIN (for the emulator), MAKE.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
examples="$(dirname "$here")"
: "${LIB:?}" "${BUILD:?}"
MAKE="${MAKE:-make}"
. "$here/emulator.sh"

step() { printf '\n--> %s\n' "$*"; }

step "building the examples (plain, and with -fsanitize=address,undefined)"
"$MAKE" -s -C "$examples" LIB="$LIB" BUILD="$BUILD"
"$MAKE" -s -C "$examples" LIB="$LIB" BUILD="$BUILD" SANITIZE=1

ensure_endpoint

run_all() { # variant-dir label
    local dir="$1" label="$2"
    step "$label: sse_example (C)"
    "$dir/sse_example" "c-example-$label"
    step "$label: cpp_sse_example (C++)"
    "$dir/cpp_sse_example" "cpp-example-$label"
    step "$label: hostile (C)"
    "$dir/hostile"
}

run_all "$BUILD" plain

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
run_all "$BUILD-asan" asan
unset ASAN_OPTIONS UBSAN_OPTIONS

if command -v valgrind >/dev/null 2>&1; then
    vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,possible
        --show-leak-kinds=definite,possible)
    step "valgrind: sse_example (C)"
    "${vg[@]}" "$BUILD/sse_example" c-example-valgrind
    step "valgrind: hostile (C)"
    "${vg[@]}" "$BUILD/hostile"
else
    echo "valgrind is not installed: install it (apt-get install valgrind) to run the memcheck step" >&2
    exit 1
fi

step "examples: all passed (plain, ASan+UBSan, valgrind)"
