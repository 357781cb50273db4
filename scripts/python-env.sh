#!/usr/bin/env bash
# Creates (or reuses) the Python virtual environment that the Python tests run in: <repo>/.venv with the
# pinned official OSS SDKs from tests/python/requirements.txt. Idempotent and fast when nothing changed: a
# stamp file records the hash of the requirements and the interpreter, and pip runs only when it differs.
# Prints the venv's python path as the only line on stdout (everything else goes to stderr), so callers can
# write `py="$(bash scripts/python-env.sh)"`. Override the interpreter with PYTHON=/path/to/python3.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
req="$root/tests/python/requirements.txt"
stamp="$venv/.oss-sse-requirements.sha256"
base_python="${PYTHON:-python3}"

log() { printf 'python-env: %s\n' "$*" >&2; }

if ! command -v "$base_python" >/dev/null 2>&1; then
    log "no '$base_python' on PATH (install python3, or set PYTHON)"
    exit 1
fi
if ! "$base_python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 8) else 1)'; then
    log "$("$base_python" --version 2>&1) is too old: the SDKs need Python 3.8 or newer"
    exit 1
fi

want="$( { cat "$req"; "$base_python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
    && "$venv/bin/python" -c 'import oss2, alibabacloud_oss_v2, pytest' >/dev/null 2>&1; then
    printf '%s\n' "$venv/bin/python"
    exit 0
fi

base_version="$("$base_python" -c 'import sys; print(sys.version)')"
if [ -x "$venv/bin/python" ] \
    && [ "$("$venv/bin/python" -c 'import sys; print(sys.version)' 2>/dev/null)" != "$base_version" ]; then
    log "$venv was made by another interpreter; recreating it"
    rm -rf "$venv"
fi

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    log "creating $venv"
    rm -rf "$venv"
    if ! "$base_python" -m venv "$venv" >&2; then
        # Debian splits ensurepip out of the interpreter package; as root we can add it ourselves.
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            ver="$("$base_python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
            log "venv failed; installing python${ver}-venv with apt-get"
            apt-get update -qq >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${ver}-venv" >&2 \
                || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
            rm -rf "$venv"
            "$base_python" -m venv "$venv" >&2
        else
            log "'$base_python -m venv' failed (on Debian: apt-get install python3-venv)"
            exit 1
        fi
    fi
fi

log "installing $(basename "$req") into $venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req" >&2
printf '%s\n' "$want" >"$stamp"
printf '%s\n' "$venv/bin/python"
