#!/usr/bin/env bash
# Instruction counts (callgrind) of one single-threaded GEMM call, ours against peers: the profile
# behind the speed notes. Counts do not depend on machine load, so they tell whether a speed gap
# is executed work (instructions) or stalls (memory, scheduling) that only timings show.
# Usage: scripts/callgrind-gemm.sh OUR_LIB [PEER_LIB...]   (env ROUTINES="dgemm zgemm", N=384)
# Prints, per library and routine: total instructions, the hottest function and its share.
# Needs: gcc, valgrind.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 OUR_LIB [PEER_LIB...]" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
gcc -O2 "$here/profile/gemm-once.c" -o "$work/gemm-once" -ldl
n="${N:-384}"
printf '%-28s %-6s %14s  %s\n' library routine instructions "hottest function (share)"
for lib in "$@"; do
  for routine in ${ROUTINES:-dgemm zgemm}; do
    out="$work/cg.$(basename "$lib").$routine"
    OPENBLAS_NUM_THREADS=1 BLASTOOL_NUM_THREADS=1 BLIS_NUM_THREADS=1 \
      valgrind --tool=callgrind --callgrind-out-file="$out" "$work/gemm-once" "$lib" "$routine" "$n" \
      >/dev/null 2>&1
    # Captured first: a pipe that stops reading early (head) would kill the writer under pipefail.
    annotated="$(callgrind_annotate "$out")"
    total="$(awk '/PROGRAM TOTALS/ {print $1; exit}' <<<"$annotated")"
    hottest="$(grep -E '^ *[0-9,]+ \(' <<<"$annotated" | grep -v 'PROGRAM TOTALS' \
      | sed -E -n '1s/^ *([0-9,]+) \(([0-9.]+%)\) +[^:]*:([^ ]+).*/\3 \1 (\2)/p')"
    printf '%-28s %-6s %14s  %s\n' "$(basename "$lib")" "$routine" "$total" "$hottest"
  done
done
