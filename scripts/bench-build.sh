#!/usr/bin/env bash
# Build-time benchmark of `blastool build` (a measurement, not a test):
#   - cold build time per target (GENERIC, HASWELL, SKYLAKEX, DYNAMIC), on disk;
#   - no-op rebuild time (unchanged inputs: the cache answers);
#   - disk vs RAM disk: the same cold build with and without --ramdisk, interleaved in the same
#     run so machine load affects both alike, reported as a ratio.
# Usage: scripts/bench-build.sh [REPEATS]   (default 3; the median of the repeats is reported)
# Needs: a release blastool (built here), a C compiler, /dev/shm (or another tmpfs) for the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats="${1:-3}"

cargo build --release --quiet --bin blastool
target_dir="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
blastool="${target_dir:-target}/release/blastool"

# Output on the build disk (not /tmp, which may itself be a tmpfs and blur the comparison).
work="$(mktemp -d "$PWD/.bench-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# seconds CMD...: wall time of one command, in seconds with millisecond resolution.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f", b - a}'
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "blastool build benchmark: $(nproc) CPUs, $repeats repeats, $(rustc -V)"
printf '%-10s %10s %10s\n' TARGET "COLD(s)" "NO-OP(s)"
for target in GENERIC HASWELL SKYLAKEX DYNAMIC; do
  cold=() noop=()
  for _ in $(seq "$repeats"); do
    out="$work/$target"
    rm -rf "$out"
    cold+=("$(seconds "$blastool" build --target "$target" --out "$out" --quiet)")
    noop+=("$(seconds "$blastool" build --target "$target" --out "$out" --quiet)")
  done
  printf '%-10s %10s %10s\n' "$target" "$(median "${cold[@]}")" "$(median "${noop[@]}")"
done

disk=() ram=()
for _ in $(seq "$repeats"); do
  disk+=("$(seconds "$blastool" build --target GENERIC --out "$work/disk" --force --quiet)")
  ram+=("$(seconds "$blastool" build --target GENERIC --out "$work/ram" --force --ramdisk --quiet)")
done
d="$(median "${disk[@]}")" r="$(median "${ram[@]}")"
used="$(sed -n 's/.*"used": "\(.*\)".*/\1/p' "$work/ram/build-report.json" | head -1)"
echo "GENERIC cold, disk ${d}s vs RAM disk ${r}s (${used:-no RAM disk: fell back to disk}): disk/RAM = $(awk -v a="$d" -v b="$r" 'BEGIN {printf "%.2f", a / b}')"
