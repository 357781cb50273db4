#!/usr/bin/env bash
# Runs every test of oss-sse: formatting, lints, the Rust tests, the cbindgen header check, the official
# Python SDKs against `oss-sse sign` and the emulator, the C/C++ examples (plain, under sanitizers and
# valgrind) plus the seed's C++ samples against a live emulator, install checks, bounded fuzzing and docs. This is the README's test command and
# exactly what `.ci/run` runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

step() { printf '\n==> %s\n' "$*"; }

need() { # command, Debian package
    command -v "$1" >/dev/null 2>&1 && return 0
    step "installing $2"
    if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need cc gcc
need c++ g++
need make make
need valgrind valgrind
need pkg-config pkg-config
need cmake cmake
need openssl openssl
need python3 python3

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, -D warnings)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo build (debug binaries, release C library)"
cargo build --workspace --bins --quiet
cargo build --release -p oss-sse-ffi --quiet

step "Python venv with the official SDKs"
py="$(bash scripts/python-env.sh)"

step "Rust tests (unit, property, end-to-end, header check)"
OSS_SSE_PYTHON="$py" cargo test --workspace --quiet

step "Python: official SDKs against oss-sse sign and the emulator"
OSS_SSE_BIN="$root/target/debug/oss-sse" "$py" -m pytest tests/python -q -p no:cacheprovider

step "C and C++: examples, hostile calls, sanitizers, valgrind, the seed samples"
make -s check-header check-examples seed-samples check-install

step "fuzzing: request targeting, authentication, network XML, stored records (bounded)"
bash scripts/fuzz.sh "${OSS_SSE_FUZZ_SECONDS:-20}"

step "cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

step "all tests passed"
