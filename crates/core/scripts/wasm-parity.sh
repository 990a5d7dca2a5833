#!/usr/bin/env bash
# Runs the core's tests natively and on wasm32 (wasm-bindgen-test-runner under
# Node) and checks that every test binary ran the same number of tests on both,
# apart from the tests that are native-only on purpose. A plain #[test] under
# the wasm runner silently runs nothing, so a green wasm run alone proves little.
#
# Usage: crates/core/scripts/wasm-parity.sh   (from anywhere; honours CARGO_TARGET_DIR)
# Needs: rustup target wasm32-unknown-unknown, wasm-bindgen-test-runner on PATH
#        (the version in Cargo.lock), node.
set -euo pipefail
cd "$(dirname "$0")/../../.."

# binary -> tests that run natively only, and why.
declare -A NATIVE_ONLY=(
  [properties]=14   # proptest: whole file is cfg(not(wasm32))
  [no_io]=1         # runs `cargo tree`, a process
)

counts() { # stdin: cargo test output; stdout: "binary count" lines
  awk '
    /Running (unittests )?(tests\/)?[^ ]+\.rs/ {
      match($0, /(tests\/)?[A-Za-z0-9_]+\.rs/); f = substr($0, RSTART, RLENGTH)
      sub(/^tests\//, "", f); sub(/\.rs$/, "", f); bin = f; next
    }
    /Doc-tests/ { bin = "" }
    /^test result: / && bin != "" {
      for (i = 1; i <= NF; i++) if ($(i+1) ~ /^passed/) n = $i
      print bin, n; bin = ""
    }'
}

# The output streams to our stderr as it comes and is counted afterwards.
# Not `tee /dev/stderr`: opening /dev/stderr anew truncates a log file that
# stderr is redirected to (CI's log lost everything before this step).
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test -p coc-core --tests 2>&1 | tee "$log" >&2 ||
  { echo "native tests failed" >&2; exit 1; }
native=$(counts <"$log")
cargo test -p coc-core --tests --target wasm32-unknown-unknown 2>&1 | tee "$log" >&2 ||
  { echo "wasm tests failed" >&2; exit 1; }
wasm=$(counts <"$log")

status=0 total_native=0 total_wasm=0
while read -r bin n; do
  w=$(awk -v b="$bin" '$1 == b { print $2 }' <<<"$wasm")
  w=${w:-0}
  expect=$(( n - ${NATIVE_ONLY[$bin]:-0} ))
  total_native=$((total_native + n)); total_wasm=$((total_wasm + w))
  if [[ "$w" != "$expect" ]]; then
    echo "MISMATCH $bin: native $n, wasm $w, expected wasm $expect" >&2; status=1
  else
    printf '%-16s native %3d  wasm %3d\n' "$bin" "$n" "$w"
  fi
done <<<"$native"
echo "total: native $total_native, wasm $total_wasm"
exit $status
