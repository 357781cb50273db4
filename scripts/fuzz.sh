#!/usr/bin/env bash
# Fuzzes every untrusted-input entry point for a bounded time: request targeting and authentication in the
# emulator, network XML, stored headers/records/blobs (fuzz/fuzz_targets/*.rs).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 20)
#
# With a nightly toolchain: coverage-guided cargo-fuzz (libFuzzer), cargo-fuzz installed on first use into
# target/tools (nothing installed by hand). Without nightly: the stable proptest fuzzers of the same entry
# points with many more cases. Exits non-zero on any crash, printing the reproducer path.
#
# Environment: CARGO_TARGET_DIR (builds go to $CARGO_TARGET_DIR/fuzz, default target/fuzz),
# FUZZ_SANITIZER (none | address, default none: the fuzzed crates forbid unsafe code, so ASan only slows
# them down), FUZZ_FORCE_STABLE=1 (take the proptest path even when nightly exists),
# FUZZ_PROPTEST_CASES (default 20000).
set -euo pipefail

seconds="${1:-20}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
    echo "usage: $0 [SECONDS_PER_TARGET]" >&2
    exit 2
fi
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
start=$SECONDS

stable_fallback() {
    local cases="${FUZZ_PROPTEST_CASES:-20000}"
    echo "fuzz: $1; running the stable proptest fuzzers instead (PROPTEST_CASES=$cases)"
    export PROPTEST_CASES="$cases"
    # Request targeting and authentication in the emulator.
    cargo test -p oss-sse-server --lib -- never_panics
    # Signature parsing/verification and every XML and text parser of the core.
    cargo test -p oss-sse-core --test properties -- \
        verifier_survives_garbage xml_parsers_survive_garbage mutated_documents_never_panic \
        text_parsers_survive_garbage
    # Stored headers and stream records.
    cargo test -p oss-sse-seal --test props -- decoders_never_panic header_mutations_are_rejected_or_harmless
    echo "fuzz: proptest fuzzers passed in $((SECONDS - start))s"
}

if [ "${FUZZ_FORCE_STABLE:-0}" = 1 ]; then
    stable_fallback "FUZZ_FORCE_STABLE=1"
    exit 0
fi
if ! cargo +nightly --version >/dev/null 2>&1; then
    stable_fallback "no nightly toolchain (cargo +nightly --version failed), so no cargo-fuzz/libFuzzer"
    exit 0
fi

tools="$repo/target/tools"
if ! [ -x "$tools/bin/cargo-fuzz" ]; then
    echo "fuzz: installing cargo-fuzz into $tools"
    cargo install cargo-fuzz --locked --root "$tools"
fi
export PATH="$tools/bin:$PATH"

target_dir="${CARGO_TARGET_DIR:-$repo/target}/fuzz"
sanitizer="${FUZZ_SANITIZER:-none}"
fuzz=(cargo +nightly fuzz)
common=(--fuzz-dir "$repo/fuzz" --target-dir "$target_dir" --sanitizer "$sanitizer")

"${fuzz[@]}" build "${common[@]}"

mkdir -p "$target_dir/corpus" "$target_dir/logs"
failed=()
for t in $("${fuzz[@]}" list --fuzz-dir "$repo/fuzz"); do
    # New inputs go to the working corpus under the target dir; the checked-in seeds are only read.
    work="$target_dir/corpus/$t"
    mkdir -p "$work" "$repo/fuzz/artifacts/$t"
    corpora=("$work")
    [ -d "$repo/fuzz/corpus/$t" ] && corpora+=("$repo/fuzz/corpus/$t")
    flags=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1)
    [ -f "$repo/fuzz/dicts/$t.dict" ] && flags+=(-dict="$repo/fuzz/dicts/$t.dict")
    log="$target_dir/logs/$t.log"
    if "${fuzz[@]}" run "${common[@]}" "$t" "${corpora[@]}" -- "${flags[@]}" >"$log" 2>&1; then
        runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)"
        rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)"
        cov="$(grep -o 'cov: [0-9]*' "$log" | tail -n1)"
        echo "fuzz: $t ok: ${runs:-?} runs in ${seconds}s, ${rate:-?} exec/s, ${cov:-cov: ?}"
    else
        tail -n 40 "$log" >&2
        artifact="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n1)"
        echo "fuzz: $t FAILED: reproducer ${artifact:-not written} (log $log)" >&2
        echo "fuzz: replay with: cargo +nightly fuzz run ${common[*]} $t ${artifact:-<input>}" >&2
        failed+=("$t")
    fi
done

echo "fuzz: done in $((SECONDS - start))s"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: crashes in: ${failed[*]}" >&2
    exit 1
fi
