#!/usr/bin/env bash
# Runs reference model W1 twice: hand-written C (w1.c beside this script) and infersim
# (w1.yaml beside it), from the repository root (extra run flags in W1_ARGS, e.g. --no-report).
# Prints both results and the wall-time ratio infersim / C.
# Usage: bench/w1/run-w1.sh [infersim command, default: node bin/infersim.js]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sim=${1:-node $root/bin/infersim.js}
command -v gcc >/dev/null || { echo "run-w1.sh: gcc not found (needed to compile $here/w1.c)" >&2; exit 1; }
bin=$(mktemp -d)/w1
gcc -O2 -o "$bin" "$here/w1.c" -lm
secs=$(sed -n 's/^duration: *\([0-9]*\)s.*/\1/p' "$here/w1.yaml")
t0=$(date +%s.%N); c=$("$bin" 10000 "$secs" 20); t1=$(date +%s.%N)
json=$($sim run "$here/w1.yaml" --format json --out "$(mktemp -d)" ${W1_ARGS:-}); t2=$(date +%s.%N)
echo "C:        $c"
node -e '
const s = JSON.parse(process.argv[1]);
const [c, t] = [process.argv[2], process.argv.slice(3).map(Number)];
const ref = Object.fromEntries(c.trim().split(/\s+/).reduce((a, w, i, all) => i % 2 ? a : [...a, [w, +all[i + 1]]], []));
console.log(`infersim: requests ${s.requests.completed} mean_ms ${s.latencyMs.mean.toFixed(4)} p99_ms ${s.latencyMs.p99.toFixed(4)} util ${s.gpu.utilization.toFixed(4)}`);
const cw = t[1] - t[0], iw = t[2] - t[1];
console.log(`wall: C ${cw.toFixed(2)} s, infersim ${iw.toFixed(2)} s, ratio infersim/C ${(iw / cw).toFixed(2)}`);
console.log(`differences: mean ${(100 * (s.latencyMs.mean / ref.mean_ms - 1)).toFixed(2)} %, p99 ${(100 * (s.latencyMs.p99 / ref.p99_ms - 1)).toFixed(2)} %, util ${(100 * (s.gpu.utilization / ref.util - 1)).toFixed(2)} %`);
' "$json" "$c" "$t0" "$t1" "$t2"
