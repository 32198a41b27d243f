#!/usr/bin/env bash
# Benchmark: a wheel audited in place (`blastool audit pkg.whl`) against what the other wheel
# tools do, `unzip` to a temporary directory followed by auditing the extracted tree, measured
# side by side in one run (alternating, best of N), reported as a ratio, with the peak RSS of
# each (getrusage of the child).
#
# Usage: scripts/bench-containers.sh [WHEEL] [REPETITIONS]
# Without WHEEL a wheel is built from Debian's libopenblas.so.0 (libopenblas0-pthread), its
# liblapack/libblas, every fixture binary and 400 small Python files.
set -euo pipefail
cd "$(dirname "$0")/.."
wheel="${1:-}"
reps="${2:-5}"

cargo build --release --quiet
bin="$PWD/target/release/blastool"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ -z "$wheel" ]; then
  openblas=/usr/lib/x86_64-linux-gnu/openblas-pthread
  if [ ! -e "$openblas/libopenblas.so.0" ]; then
    echo "error: $openblas/libopenblas.so.0 is missing: apt-get install libopenblas0-pthread, or pass a WHEEL" >&2
    exit 2
  fi
  stage="$work/stage"
  mkdir -p "$stage/pkg/.libs" "$stage/pkg/fixtures" "$stage/pkg-1.0.dist-info"
  cp -L "$openblas/libopenblas.so.0" "$openblas/liblapack.so.3" "$openblas/libblas.so.3" "$stage/pkg/.libs/"
  # The broken fixtures and the thin archive (its members are outside it) are left out: the
  # comparison is about speed on good binaries.
  find tests/fixtures -path '*/bin/*' -not -path '*/bad/*' -not -name libthin.a -type f \
    \( -name '*.so' -o -name '*.dll' -o -name '*.a' -o -name '*.obj' \) |
    while read -r f; do cp "$f" "$stage/pkg/fixtures/$(echo "$f" | tr '/' '_')"; done
  for i in $(seq 1 400); do printf 'def f%d():\n    return %d\n' "$i" "$i" > "$stage/pkg/mod$i.py"; done
  printf 'Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n' > "$stage/pkg-1.0.dist-info/METADATA"
  wheel="$work/pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"
  (cd "$stage" && zip -q -r "$wheel" .)
fi
members=$(unzip -Z1 "$wheel" | wc -l)
echo "wheel: $(basename "$wheel") ($(( $(stat -c %s "$wheel") / 1048576 )) MiB, $members members); best of $reps, alternating"

# Seconds and peak RSS (KiB) of a command, from the rusage of the waited-for child.
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(["bash", "-c", sys.argv[1]], check=False)
elapsed = time.perf_counter() - start
print(f"{elapsed:.4f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
}

in_place="'$bin' audit --format json --fail-on never --allow-empty '$wheel' > /dev/null 2>&1"
extracted="rm -rf '$work/x' && unzip -q '$wheel' -d '$work/x' && '$bin' audit --format json --fail-on never --allow-empty '$work/x' > /dev/null 2>&1"
# Same work, same answer: the in-place run must audit as many binaries as the extracted one.
count() { { "$bin" audit --format json --fail-on never --allow-empty "$1" 2>/dev/null || true; } |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["audited"])'; }
a=$(count "$wheel")
rm -rf "$work/x" && unzip -q "$wheel" -d "$work/x"
b=$(count "$work/x")
echo "binaries audited: in place $a, extracted $b"

best_in=999999; best_ex=999999; rss_in=0; rss_ex=0
for ((i = 1; i <= reps; i++)); do
  read -r t rss < <(measure "$in_place")
  best_in=$(echo "if ($t < $best_in) $t else $best_in" | bc -l); rss_in=$rss
  read -r t rss < <(measure "$extracted")
  best_ex=$(echo "if ($t < $best_ex) $t else $best_ex" | bc -l); rss_ex=$rss
done
printf 'in place          : %6.3f s  peak RSS %4d MiB\n' "$best_in" "$((rss_in / 1024))"
printf 'unzip + audit dir : %6.3f s  peak RSS %4d MiB (largest child)\n' "$best_ex" "$((rss_ex / 1024))"
printf 'ratio (unzip+audit time / in-place time): %.2f\n' "$(echo "$best_ex / $best_in" | bc -l)"
