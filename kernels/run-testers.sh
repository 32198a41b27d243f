#!/usr/bin/env bash
# Runs the 24 reference BLAS test programs of Debian's `libblas-test` against the kernels' shared
# library, once per microkernel table this CPU can run (BLASTOOL_CORETYPE) and per thread count
# (BLASTOOL_NUM_THREADS=1 and 2; with 2, BLASTOOL_PARALLEL_MIN_WORK=1 makes even the testers'
# tiny level-3 products run split over threads), and fails on any failed
# or skipped routine, `****` line, missing end marker or crash. One summary line per tester run.
#
# Usage: kernels/run-testers.sh            (builds the release cdylib first)
#   BLASTOOL_LIB=/path/libkernels.so       use an already built library instead
#   BLASTOOL_TESTER_CORES="GENERIC SKYLAKEX"  choose the tables (default: all supported)
#   BLASTOOL_TESTER_ILP64=1                 run Debian's 64-bit-integer testers (`libblas64-test`,
#                                          unsuffixed names, libblas64.so.3) against an ILP64
#                                          build (`blastool build --interface64 --symbol-suffix=`)
# Exit status: 0 all passed, 1 a tester failed, 2 setup problem (e.g. libblas-test missing).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bindir=/usr/lib/x86_64-linux-gnu/blas
soname=libblas.so.3
package=libblas-test
if [ "${BLASTOOL_TESTER_ILP64:-0}" = 1 ]; then
  bindir=/usr/lib/x86_64-linux-gnu/blas64
  soname=libblas64.so.3
  package=libblas64-test
fi

if [ ! -x "$bindir/xblat1d" ]; then
  echo "run-testers.sh: $package is not installed (apt-get install $package)" >&2
  exit 2
fi
if [ -n "${BLASTOOL_TESTER_ILP64:-}" ] && [ "${BLASTOOL_TESTER_ILP64}" = 1 ] && [ -z "${BLASTOOL_LIB:-}" ]; then
  echo "run-testers.sh: BLASTOOL_TESTER_ILP64=1 needs BLASTOOL_LIB (an ILP64 build's shared library)" >&2
  exit 2
fi

lib="${BLASTOOL_LIB:-}"
if [ -z "$lib" ]; then
  (cd "$here/.." && cargo build --release -p kernels --quiet) || { echo "run-testers.sh: build failed" >&2; exit 2; }
  target_dir="$(cd "$here/.." && cargo metadata --format-version 1 --no-deps 2>/dev/null \
    | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
  lib="${target_dir:-$here/../target}/release/libkernels.so"
fi
[ -f "$lib" ] || { echo "run-testers.sh: no library at $lib" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$lib" "$work/$soname"
export LD_LIBRARY_PATH="$work"
# Capture first: `ldd | grep -q` under pipefail fails when grep exits early (SIGPIPE).
resolved="$(ldd "$bindir/xblat1d")"
if ! grep -q "$work/$soname" <<<"$resolved"; then
  echo "run-testers.sh: ldd does not resolve $soname to $work" >&2
  echo "$resolved" >&2
  exit 2
fi
echo "ldd: $(grep "$soname" <<<"$resolved" | sed 's/^[[:space:]]*//')"

cores="${BLASTOOL_TESTER_CORES:-}"
if [ -z "$cores" ]; then
  flags="$(grep -m1 '^flags' /proc/cpuinfo)"
  cores="GENERIC"
  if grep -qw avx2 <<<"$flags" && grep -qw fma <<<"$flags"; then cores="$cores HASWELL"; fi
  if grep -qw avx512f <<<"$flags"; then cores="$cores SKYLAKEX"; fi
fi

failed=0
# Number of PASS/PASSED lines a complete run prints (so a silently skipped routine fails):
# level 1: one per subprogram; Fortran levels 2/3: error exits + computational test per routine;
# CBLAS levels 2/3: error exits + column-major + row-major per routine.
expected() {
  case "$1" in
    xblat1[sd]) echo 13 ;; xblat1[cz]) echo 10 ;; x?cblat1) echo 10 ;;
    xblat2[sd]) echo 32 ;; xblat2[cz]) echo 34 ;;
    xblat3[sd]) echo 12 ;; xblat3[cz]) echo 18 ;;
    x[sd]cblat2) echo 48 ;; x[cz]cblat2) echo 51 ;;
    x[sd]cblat3) echo 18 ;; x[cz]cblat3) echo 27 ;;
  esac
}

# check NAME STATUS OUTPUT LEVEL: decide pass/fail from the exit status and the output text.
check() {
  local name="$1" status="$2" out="$3" level="$4" why=""
  local want
  want=$(expected "${name##* }")
  if [ "$status" -ne 0 ]; then why="exit status $status"; fi
  if grep -qE 'FAIL|\*\*\*\*|NOT TESTED|SUSPECT|AMEND DATA' "$out"; then
    why="${why:+$why, }$(grep -cE 'FAIL|\*\*\*\*|NOT TESTED|SUSPECT|AMEND DATA' "$out") failure lines"
  fi
  local passed
  if [ "$level" = 1 ]; then
    local total
    total=$(grep -c 'Test of subprogram number' "$out")
    passed=$(grep -c -- '----- PASS -----' "$out")
    if [ "$total" -eq 0 ] || [ "$passed" -ne "$total" ]; then
      why="${why:+$why, }$passed of $total subprograms passed"
    fi
  else
    passed=$(grep -c 'PASSED' "$out")
    grep -q 'END OF TESTS' "$out" || why="${why:+$why, }no END OF TESTS"
  fi
  if [ -n "$want" ] && [ "$passed" -lt "$want" ]; then
    why="${why:+$why, }only $passed of $want PASS lines"
  fi
  if [ -n "$why" ]; then
    echo "FAIL $name: $why (output: $out)"
    failed=1
  else
    echo "ok   $name: $passed PASSED lines"
  fi
}

for threads in 1 2; do
for core in $cores; do
  export BLASTOOL_CORETYPE="$core" BLASTOOL_NUM_THREADS="$threads"
  if [ "$threads" -gt 1 ]; then export BLASTOOL_PARALLEL_MIN_WORK=1; else unset BLASTOOL_PARALLEL_MIN_WORK; fi
  tag="$core/t$threads"
  for p in s d c z; do
    for l in 1 2 3; do
      dir="$work/$core-t$threads-$p$l"
      mkdir -p "$dir"
      cd "$dir" || exit 2
      # Fortran-API tester: level 1 takes no input; levels 2/3 read their .in and write the
      # summary file it names (e.g. dblat2.out).
      if [ "$l" = 1 ]; then
        timeout 600 "$bindir/xblat1$p" </dev/null >f.txt 2>&1; st=$?
        out="$dir/f.txt"
      else
        timeout 600 "$bindir/xblat$l$p" <"$bindir/${p}blat$l.in" >f.txt 2>&1; st=$?
        out="$dir/${p}blat$l.out"
        [ -f "$out" ] || out="$dir/f.txt"
        cat f.txt >>"$out"
      fi
      check "[$tag] xblat$l$p" "$st" "$out" "$l"
      # CBLAS tester: writes its results to standard output.
      if [ "$l" = 1 ]; then
        timeout 600 "$bindir/x${p}cblat1" </dev/null >c.txt 2>&1; st=$?
      else
        timeout 600 "$bindir/x${p}cblat$l" <"$bindir/${p}in$l" >c.txt 2>&1; st=$?
      fi
      check "[$tag] x${p}cblat$l" "$st" "$dir/c.txt" "$l"
    done
  done
done
done

if [ "$failed" -ne 0 ]; then
  # Keep the outputs of a failed run for inspection.
  keep="$(mktemp -d /tmp/blastool-testers.XXXXXX)"
  cp -r "$work"/. "$keep"/
  echo "run-testers.sh: FAILED (outputs kept in $keep)"
  exit 1
fi
echo "run-testers.sh: all testers passed (cores: $cores; threads: 1 and 2)"
