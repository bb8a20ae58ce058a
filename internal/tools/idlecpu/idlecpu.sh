#!/bin/sh
# idlecpu.sh measures the CPU an idle `registrar serve` uses: it builds the
# registrar, starts it with its default settings on a fresh data directory
# (only the listen address changed to a free port), lets it settle for 10 s
# and then counts its CPU ticks (utime+stime in /proc/PID/stat) over SECONDS
# (default 60). Run it from the repository root, when `uptime` is lowest.
#
#   sh internal/tools/idlecpu/idlecpu.sh [SECONDS]
set -eu
secs=${1:-60}
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
go build -o "$dir/registrar" ./cmd/registrar
"$dir/registrar" serve --data-dir "$dir/data" --listen 127.0.0.1:0 >"$dir/log" 2>&1 &
pid=$!
sleep 10
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
uptime
t0=$(ticks)
sleep "$secs"
t1=$(ticks)
uptime
awk -v t="$((t1 - t0))" -v hz="$hz" -v s="$secs" \
	'BEGIN { printf "%d ticks in %d s (%d Hz): %.2f%% of one core\n", t, s, hz, 100 * t / hz / s }'
