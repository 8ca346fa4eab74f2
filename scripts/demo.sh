#!/usr/bin/env bash
# Plans and applies the example fleet against the bundled simulator.
# Needs bin/capctl and bin/dashscope-sim (make build).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-bin}
tmp=$(mktemp -d)
sim_pid=""
cleanup() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

"$bin/dashscope-sim" -seed examples/seed.json -update-delay 1500ms -latency 20ms -url-file "$tmp/url" >"$tmp/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do [ -s "$tmp/url" ] && break; sleep 0.1; done
[ -s "$tmp/url" ] || { echo "demo: the simulator did not start:"; cat "$tmp/sim.log"; exit 1; }

# The simulator stands in for every region's host; the keys are its demo keys.
export CAPCTL_ENDPOINT; CAPCTL_ENDPOINT=$(cat "$tmp/url")
export DASHSCOPE_API_KEY_PROD=sk-demo-prod DASHSCOPE_API_KEY_CN=sk-demo-cn DASHSCOPE_API_KEY_STAGING=sk-demo-staging

if [ -t 1 ]; then
	step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
else
	step() { printf '\n$ %s\n' "$*"; }
fi

step capctl validate examples/fleet
"$bin/capctl" validate examples/fleet

step capctl plan examples/fleet
"$bin/capctl" plan examples/fleet

step capctl apply --auto-approve --wait examples/fleet
"$bin/capctl" apply --auto-approve --wait examples/fleet

step capctl plan --detailed-exitcode examples/fleet
"$bin/capctl" plan --detailed-exitcode examples/fleet
echo
echo "demo: the fleet matches the files."
