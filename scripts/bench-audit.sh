#!/usr/bin/env bash
# Benchmark: `blastool audit` over every ELF file under a directory (default
# /usr/lib/x86_64-linux-gnu) against `readelf -d -r` over the same files, measured side by side
# in one run (alternating, best of N), reported as files/s and as a ratio.
#
# Usage: scripts/bench-audit.sh [DIR] [REPETITIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-/usr/lib/x86_64-linux-gnu}"
reps="${2:-3}"

cargo build --release --quiet
bin="$PWD/target/release/blastool"
list="$(mktemp)"
trap 'rm -f "$list"' EXIT

# Regular ELF files only (symlinks skipped, as blastool skips them inside directories).
find "$dir" -type f -print0 | while IFS= read -r -d '' file; do
  if [ "$(head -c4 "$file" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = "7f454c46" ]; then
    printf '%s\0' "$file"
  fi
done > "$list"
count=$(tr -cd '\0' < "$list" | wc -c)
bytes=$(xargs -0 -a "$list" du -cb | tail -1 | cut -f1)
echo "ELF files: $count ($((bytes / 1048576)) MiB) under $dir; best of $reps, alternating"

now() { date +%s.%N; }
best_blastool=999999
best_readelf=999999
for ((i = 1; i <= reps; i++)); do
  start=$(now)
  xargs -0 -a "$list" "$bin" audit --format json --fail-on never > /dev/null 2>&1 || true
  t=$(echo "$(now) - $start" | bc -l)
  best_blastool=$(echo "if ($t < $best_blastool) $t else $best_blastool" | bc -l)

  start=$(now)
  xargs -0 -a "$list" readelf -d -r -W > /dev/null 2>&1 || true
  t=$(echo "$(now) - $start" | bc -l)
  best_readelf=$(echo "if ($t < $best_readelf) $t else $best_readelf" | bc -l)
done

printf 'blastool audit : %6.2f s  %8.0f files/s\n' "$best_blastool" "$(echo "$count / $best_blastool" | bc -l)"
printf 'readelf -d -r  : %6.2f s  %8.0f files/s\n' "$best_readelf" "$(echo "$count / $best_readelf" | bc -l)"
printf 'ratio (readelf time / blastool time): %.2f\n' "$(echo "$best_readelf / $best_blastool" | bc -l)"
