# emulator.sh: sourced by the other scripts. start_emulator runs `oss-sse serve` on a free loopback port
# in a fresh data dir, waits for its first stdout line (`listening on http://127.0.0.1:PORT`), and
# exports OSS_ENDPOINT, OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET for the clients; stop_emulator
# stops it (SIGTERM, then waits) and removes the data dir unless KEEP_DATA=1.
#
# Needs OSS_SSE_BIN (the oss-sse binary). Sets EMULATOR_PID, EMULATOR_DATA, EMULATOR_LOG.

start_emulator() {
    : "${OSS_SSE_BIN:?set OSS_SSE_BIN to the oss-sse binary}"
    if [ ! -x "$OSS_SSE_BIN" ]; then
        echo "emulator: $OSS_SSE_BIN is not built (run: cargo build -p oss-sse-cli)" >&2
        return 1
    fi
    # The emulator takes its root account from these variables, and the clients sign with them.
    export OSS_ACCESS_KEY_ID="${OSS_ACCESS_KEY_ID:-oss-sse-example-id}"
    export OSS_ACCESS_KEY_SECRET="${OSS_ACCESS_KEY_SECRET:-oss-sse-example-secret}"
    EMULATOR_DATA="$(mktemp -d "${TMPDIR:-/tmp}/oss-sse-emulator.XXXXXX")"
    EMULATOR_LOG="$EMULATOR_DATA.log"
    "$OSS_SSE_BIN" serve --listen 127.0.0.1:0 --data-dir "$EMULATOR_DATA" >"$EMULATOR_LOG" 2>"$EMULATOR_LOG.err" &
    EMULATOR_PID=$!
    local line="" i
    for i in $(seq 1 300); do
        line="$(head -n 1 "$EMULATOR_LOG" 2>/dev/null || true)"
        case "$line" in
            "listening on http://"*) break ;;
        esac
        if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
            echo "emulator: oss-sse serve exited before listening:" >&2
            cat "$EMULATOR_LOG.err" >&2
            return 1
        fi
        sleep 0.1
    done
    case "$line" in
        "listening on http://"*) ;;
        *) echo "emulator: no 'listening on' line after 30 s" >&2; stop_emulator; return 1 ;;
    esac
    export OSS_ENDPOINT="${line#listening on }"
    echo "emulator: $OSS_ENDPOINT (data dir $EMULATOR_DATA, pid $EMULATOR_PID)"
}

stop_emulator() {
    if [ -n "${EMULATOR_PID:-}" ] && kill -0 "$EMULATOR_PID" 2>/dev/null; then
        kill -TERM "$EMULATOR_PID" 2>/dev/null || true
        wait "$EMULATOR_PID" 2>/dev/null || true
    fi
    EMULATOR_PID=""
    if [ "${KEEP_DATA:-0}" != 1 ] && [ -n "${EMULATOR_DATA:-}" ]; then
        rm -rf "$EMULATOR_DATA" "$EMULATOR_DATA.log" "$EMULATOR_DATA.log.err"
    fi
}

# Starts an emulator unless OSS_ENDPOINT already names one, and stops it when the script exits.
ensure_endpoint() {
    if [ -n "${OSS_ENDPOINT:-}" ]; then
        echo "using OSS_ENDPOINT=$OSS_ENDPOINT"
        return 0
    fi
    trap stop_emulator EXIT
    start_emulator
}
