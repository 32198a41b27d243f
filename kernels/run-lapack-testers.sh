#!/usr/bin/env bash
# Runs LAPACK's own test suite (Debian's `liblapack-test`: xlintst{s,d,c,z}, xlintstrf{s,d,c,z},
# xlintstds, xlintstzc, xeigtst{s,d,c,z}, each fed every `*.in` file Debian ships for it) with
# Debian's reference LAPACK twice: once over the reference BLAS (`libblas3`) and once over the
# kernels' shared library presented as `libblas.so.3`, per microkernel table this CPU can run
# (BLASTOOL_CORETYPE) and per thread count (BLASTOOL_NUM_THREADS=1 and 2; with 2, products of
# at least 16^3 are split, BLASTOOL_PARALLEL_MIN_WORK overrides that). It parses every
# program's per-group summary lines and fails when any group fails more tests over ours than
# over the reference, or is missing (a crash, a timeout or a cut-off output counts as a failure).
# One summary line per configuration, one line per group that differs. Three groups have an
# allowance (`known_worse` below, each explained there), printed as KNOWN whenever used.
#
# Usage: kernels/run-lapack-testers.sh      (builds the release cdylib first)
#   BLASTOOL_LIB=/path/libkernels.so       use an already built library instead; when it is a
#                                          file named libblas.so.3 (the drop-in link of a
#                                          `blastool build` tree), its own directory goes on
#                                          LD_LIBRARY_PATH, exactly as a user would use it
#   BLASTOOL_TESTER_CORES="GENERIC HASWELL"  choose the tables (default: BLASTOOL_CORETYPE when
#                                          set, else every table this CPU supports)
#   BLASTOOL_TESTER_THREADS="1 2"          choose the thread counts (default: BLASTOOL_NUM_THREADS
#                                          when set, else 1 and 2)
#   BLASTOOL_LAPACK_JOBS=n                 programs run at once (default: nproc)
#   BLASTOOL_LAPACK_TIMEOUT=s              seconds per program (default 900)
# Exit status: 0 no group worse than the reference, 1 some group worse, 2 setup problem (e.g.
# liblapack-test missing, or LAPACK would not bind to the library under test).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
multiarch=/usr/lib/x86_64-linux-gnu
lapackdir=$multiarch/lapack
# Reference LAPACK itself, not /usr/lib/.../liblapack.so.3: that name is an alternative which
# points at OpenBLAS's LAPACK when libopenblas0 is installed.
lapack=$lapackdir/liblapack.so.3
refblas=$multiarch/blas/libblas.so.3

setup_error() { echo "run-lapack-testers.sh: $*" >&2; exit 2; }
[ -x "$lapackdir/xlintstd" ] || setup_error "liblapack-test is not installed (apt-get install liblapack-test)"
[ -f "$lapack" ] || setup_error "reference LAPACK is missing at $lapack (apt-get install liblapack3)"
[ -f "$refblas" ] || setup_error "reference BLAS is missing at $refblas (apt-get install libblas3)"

lib="${BLASTOOL_LIB:-}"
if [ -z "$lib" ]; then
  (cd "$here/.." && cargo build --release -p kernels --quiet) || setup_error "build failed"
  target_dir="$(cd "$here/.." && cargo metadata --format-version 1 --no-deps 2>/dev/null \
    | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
  lib="${target_dir:-$here/../target}/release/libkernels.so"
fi
[ -f "$lib" ] || setup_error "no library at $lib"
lib="$(cd "$(dirname "$lib")" && pwd)/$(basename "$lib")"

# LAPACK calls the BLAS by its plain Fortran names with 32-bit integers: a prefixed, suffixed
# or ILP64 build cannot stand in. And a library without blastool's own entry points is not ours:
# comparing the reference BLAS with itself would pass without testing anything.
exports="$(nm -D --defined-only "$lib" 2>/dev/null)" || setup_error "cannot read the symbols of $lib (nm from binutils)"
for symbol in dgemm_ zgemm_ blastool_get_corename; do
  grep -qE " $symbol\$" <<<"$exports" \
    || setup_error "$lib does not export $symbol: not an unaffixed blastool library, so it cannot stand in for libblas.so.3"
done

if [ -n "${BLASTOOL_TESTER_CORES:-}" ]; then
  cores="$BLASTOOL_TESTER_CORES"
elif [ -n "${BLASTOOL_CORETYPE:-}" ]; then
  cores="$BLASTOOL_CORETYPE"
else
  flags="$(grep -m1 '^flags' /proc/cpuinfo)"
  cores="GENERIC"
  if grep -qw avx2 <<<"$flags" && grep -qw fma <<<"$flags"; then cores="$cores HASWELL"; fi
  if grep -qw avx512f <<<"$flags"; then cores="$cores SKYLAKEX"; fi
fi
threads_list="${BLASTOOL_TESTER_THREADS:-${BLASTOOL_NUM_THREADS:-1 2}}"
jobs="${BLASTOOL_LAPACK_JOBS:-$(nproc 2>/dev/null || echo 2)}"
limit="${BLASTOOL_LAPACK_TIMEOUT:-900}"
min_work="${BLASTOOL_PARALLEL_MIN_WORK:-}"

# Stack: Debian's 3.11.0 testers finish all 90 runs with a 1 MiB stack (checked with
# `ulimit -s 1024` over the reference BLAS), but a LAPACK build that puts the testers' large work
# arrays on the stack (gfortran -frecursive or -fopenmp) needs far more, and a cut-off run would
# read as a failure of the BLAS. 64 MiB (within the hard limit) leaves room for that.
hard="$(ulimit -Hs)"
if [ "$hard" = unlimited ] || [ "$hard" -ge 65536 ]; then ulimit -s 65536; else ulimit -s "$hard"; fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# One directory per side holding what LD_LIBRARY_PATH must find: liblapack.so.3 -> the reference
# LAPACK, and libblas.so.3 -> the BLAS of that side.
mkdir -p "$work/lib-ref" "$work/lib-ours"
ln -s "$lapack" "$work/lib-ref/liblapack.so.3"
ln -s "$refblas" "$work/lib-ref/libblas.so.3"
ln -s "$lapack" "$work/lib-ours/liblapack.so.3"
path_ref="$work/lib-ref"
if [ "$(basename "$lib")" = libblas.so.3 ]; then
  path_ours="$work/lib-ours:$(dirname "$lib")"
else
  ln -s "$lib" "$work/lib-ours/libblas.so.3"
  path_ours="$work/lib-ours"
fi

# verify_binding LD_LIBRARY_PATH EXPECTED: proves that the reference LAPACK's calls land in
# EXPECTED. With LD_BIND_NOW every symbol is bound at start-up, and LD_DEBUG=bindings says which
# file each one went to, so no program has to run.
verify_binding() {
  local path="$1" expected="$2" log bound
  log="$(LD_LIBRARY_PATH="$path" LD_BIND_NOW=1 LD_DEBUG=bindings "$lapackdir/xeigtstd" </dev/null 2>&1)"
  bound="$(grep -m1 "binding file [^ ]*/liblapack.so.3 .* to [^ ]* .*symbol \`dgemm_'" <<<"$log" \
    | sed 's/.* to \([^ ]*\) .*/\1/')"
  if [ -z "$bound" ]; then
    setup_error "cannot tell where liblapack.so.3 binds dgemm_ with LD_LIBRARY_PATH=$path"
  fi
  if [ "$(readlink -f "$bound")" != "$(readlink -f "$expected")" ]; then
    setup_error "with LD_LIBRARY_PATH=$path, reference LAPACK binds dgemm_ to $bound ($(readlink -f "$bound")), not $expected"
  fi
  if grep -q "libopenblas" <<<"$log"; then
    setup_error "with LD_LIBRARY_PATH=$path, the testers still load OpenBLAS"
  fi
  echo "bound: liblapack.so.3 dgemm_ -> $bound -> $(readlink -f "$bound")"
}
verify_binding "$path_ref" "$refblas"
verify_binding "$path_ours" "$lib"

# Every input file Debian ships, with the program that reads it. An input this list does not
# know is a setup error, so a new file in a new Debian release is never skipped silently.
joblist="$work/jobs"
: >"$joblist"
for input in "$lapackdir"/*.in; do
  name="$(basename "$input" .in)"
  case "$name" in
    dstest) echo "xlintstds $name" ;;
    zctest) echo "xlintstzc $name" ;;
    [sdcz]test) echo "xlintst${name:0:1} $name" ;;
    [sdcz]test_rfp) echo "xlintstrf${name:0:1} $name" ;;
    # Precision-neutral eigenvalue inputs: every precision's tester reads them.
    nep | sep | se2 | svd | glm | gqr | gsv | csd | lse)
      for p in s d c z; do echo "xeigtst$p $name"; done ;;
    [sdcz]ec | [sdcz]ed | [sdcz]gg | [sdcz]gd | [sdcz]sb | [sdcz]sg | [sdcz]bb | [sdcz]bal | [sdcz]bak | [sdcz]gbal | [sdcz]gbak)
      echo "xeigtst${name:0:1} $name" ;;
    *) setup_error "no program known for $input; teach run-lapack-testers.sh which tester reads it" ;;
  esac
done >"$joblist.unsorted"
[ -s "$joblist.unsorted" ] || setup_error "no *.in files in $lapackdir"
# Longest first (the linear-equation suites, SVD and eigen-condition inputs take 10-40 s, most
# others under 3 s), so the parallel slots finish together.
grep -E ' ([sdcz]test|svd|[sdcz]ec)$' "$joblist.unsorted" >"$joblist"
grep -vE ' ([sdcz]test|svd|[sdcz]ec)$' "$joblist.unsorted" >>"$joblist"
programs=$(wc -l <"$joblist")

# run_all SIDE LD_LIBRARY_PATH: every program with every input, $jobs at a time, into
# $work/SIDE/<program>.<input>.{out,status}.
run_all() {
  local side="$1" path="$2" program input
  mkdir -p "$work/$side"
  while read -r program input; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
    (
      # Each run in its own directory: some testers write scratch files into the current one.
      dir="$work/$side/$program.$input.d"
      mkdir -p "$dir" && cd "$dir" || exit 2
      LD_LIBRARY_PATH="$path" timeout "$limit" "$lapackdir/$program" \
        <"$lapackdir/$input.in" >"$work/$side/$program.$input.out" 2>&1
      echo $? >"$work/$side/$program.$input.status"
    ) &
  done <"$joblist"
  wait
}

# summarize SIDE: one line per group, "PROGRAM INPUT GROUP<TAB>FAILED<TAB>RUN", in output order.
# GROUP is the path (DGE, DGV, DSGESV, ...) plus "drivers" / "exits" / "messages" for the kinds
# of summary that share a path; a group printed again for another block size gets "#2", "#3".
# A run that did not exit 0 or did not reach "End of tests" adds a failed "run" group.
summarize() {
  local side="$1" program input out status
  while read -r program input; do
    out="$work/$side/$program.$input.out"
    status="$(cat "$work/$side/$program.$input.status" 2>/dev/null || echo missing)"
    awk -v job="$program $input" -v status="$status" '
      function num(s) { return s ~ /^[0-9]+$/ ? s + 0 : 999999 }  # I6 overflow prints ******
      function emit(group, failed, run) {
        seen[group]++
        if (seen[group] > 1) group = group " #" seen[group]
        printf "%s %s\t%d\t%d\n", job, group, failed, run
      }
      function path(line,   w) {
        sub(/^[ *]+/, "", line)
        split(line, w, /[ :]+/)
        return w[1] == "the" ? w[2] : w[1]
      }
      function kind(line) { return line ~ /drivers/ ? " drivers" : "" }
      /All tests for .* passed/ {
        s = $0; sub(/.*All tests for +/, "", s)
        run = $0; sub(/.*\( */, "", run); sub(/ .*/, "", run)
        emit(path(s) kind(s), 0, num(run)); next
      }
      / out of +[0-9*]+ /{
        n = split($0, w, / +/)
        for (i = 1; i <= n; i++) if (w[i] == "out" && w[i + 1] == "of") { failed = w[i - 1]; run = w[i + 2] }
        emit(path($0) kind($0), num(failed), num(run)); next
      }
      # The extra-precise drivers pass as "SGESVXX passed the tests of error bounds" and fail as
      # "SGESVXX: N out of M tests failed ...": the same group.
      /passed the tests of error bounds/ { emit(path($0), 0, 1); next }
      /passed the tests of (the )?error/ { emit(path($0) " exits", 0, 1); next }
      /failed the tests of (the )?error/ { emit(path($0) " exits", 1, 1); next }
      /error messages recorded/ { n = $1; emit("error messages", num(n), num(n)); next }
      /End of tests/ { ended = 1 }
      END {
        if (status != "0" || !ended) emit("run (exit " status (ended ? "" : ", no End of tests") ")", 1, 1)
      }
    ' "$out" 2>/dev/null || printf '%s %s run (no output)\t1\t1\n' "$program" "$input"
  done <"$joblist"
}

# Groups whose extra failures over ours have an allowance: table (or * for every table), group,
# failures allowed, tab-separated. Each is printed as KNOWN on every run in which it is used,
# never hidden; any further failure in the group, or in any other group, still fails the run.
# - STFSM/CTFSM (RFP triangular solve) compare STRSM on the whole matrix with STFSM, which is
#   STRSM on one half, SGEMM on the off-diagonal block, STRSM on the other half, and require
#   the difference to stay below 30 * sqrt(eps) * n. At n = 50 the test's triangular factors
#   include badly conditioned ones (unit diagonal, or R of a random matrix), where any two
#   different summation orders differ by more: the reference BLAS passes STFSM only because
#   its SGEMM and STRSM loops subtract the same products in the same order (its differences
#   are exactly 0), and Debian's OpenBLAS fails the same STFSM case (38.6). CTFSM's case is at
#   29.6 over the reference, against the limit of 30, and 35.9 over ours.
# - DST drivers #5 (xeigtstd se2, NB = 10), GENERIC table only: test 101, the orthogonality of
#   the eigenvectors DSPEVX computes by inverse iteration (DSTEIN) for an order-20 matrix with
#   clustered eigenvalues (type 10), is 121 against a limit of 50. Explained as the suite's own
#   fragility at Debian's fixed seed, not a defect of ours: (1) over the reference BLAS with our
#   GENERIC routines swapped in one at a time (an LD_PRELOAD shim), no single routine fails it;
#   it takes ddot, dspmv, dspr2 and dsyr2 together (dsyr2 builds the test matrix in DLAGSY, the
#   other three reduce it in DSPTRD): rounding-level changes to both the input and the reduction.
#   HASWELL's versions of the same four give 25. (2) With random seeds
#   (scripts/lapack-seed-sweep.sh, the same se2 settings, 82 seeds from SEED_BASE=2026) the
#   reference BLAS itself fails these driver tests: in 15 of the 82 seeds (18 tests), GENERIC in
#   17 (24), HASWELL in 13 (18) — about the same rate for every BLAS.
known_worse="*	xlintstrfs stest_rfp STFSM	1
*	xlintstrfc ctest_rfp CTFSM	1
GENERIC	xeigtstd se2 DST drivers #5	1"

started=$SECONDS
run_all ref "$path_ref"
summarize ref >"$work/ref.groups"
ref_groups=$(wc -l <"$work/ref.groups")
ref_bad=$(awk -F'\t' '$2 > 0' "$work/ref.groups" | wc -l)
echo "reference BLAS: $programs runs, $ref_groups groups, $ref_bad with failures ($((SECONDS - started)) s)"
awk -F'\t' '$2 > 0 { printf "  reference fails %s: %d of %d\n", $1, $2, $3 }' "$work/ref.groups"

failed=0
for threads in $threads_list; do
  for core in $cores; do
    export BLASTOOL_CORETYPE="$core" BLASTOOL_NUM_THREADS="$threads"
    # The testers' matrices stay under 50x50, below the default split threshold (96^3), so with
    # 2 threads nothing would ever split. 16^3 splits the blocked algorithms' level-3 updates
    # while keeping the thread start-ups affordable: with 1 (what run-testers.sh uses) DGV alone
    # goes from 0.8 s to 22 s.
    if [ "$threads" -gt 1 ]; then
      export BLASTOOL_PARALLEL_MIN_WORK="${min_work:-4096}"
    else
      unset BLASTOOL_PARALLEL_MIN_WORK
    fi
    tag="$core/t$threads"
    side="ours-$core-t$threads"
    t0=$SECONDS
    run_all "$side" "$path_ours"
    summarize "$side" >"$work/$side.groups"
    # Join on the group; a group the reference reports and ours does not is a failure (its
    # program stopped early or printed something else).
    report="$(awk -F'\t' -v tag="$tag" -v known="$known_worse" '
      BEGIN {
        k = split(known, lines, "\n")
        for (i = 1; i <= k; i++) { split(lines[i], f, "\t"); allowed[f[1] " " f[2]] = f[3] }
        core = tag; sub(/\/.*/, "", core)
      }
      function allowance(group) {
        if ((core " " group) in allowed) return allowed[core " " group]
        if (("* " group) in allowed) return allowed["* " group]
        return -1
      }
      NR == FNR { rf[$1] = $2; rr[$1] = $3; order[++n] = $1; next }
      {
        seen[$1] = 1
        if (!($1 in rf)) {
          if ($2 > 0) { printf "WORSE [%s] %s: %d of %d failed; the reference has no such group\n", tag, $1, $2, $3; worse++ }
          next
        }
        if ($2 > rf[$1] && $2 - rf[$1] <= allowance($1)) {
          printf "KNOWN [%s] %s: %d of %d failed, reference %d of %d (see known_worse in run-lapack-testers.sh; %d allowed)\n", tag, $1, $2, $3, rf[$1], rr[$1], allowance($1)
        }
        else if ($2 > rf[$1]) { printf "WORSE [%s] %s: %d of %d failed, reference %d of %d\n", tag, $1, $2, $3, rf[$1], rr[$1]; worse++ }
        else if ($2 < rf[$1]) printf "better [%s] %s: %d of %d failed, reference %d of %d\n", tag, $1, $2, $3, rf[$1], rr[$1]
        groups++; tests += $3; bad += $2
      }
      END {
        for (i = 1; i <= n; i++) if (!(order[i] in seen)) {
          printf "WORSE [%s] %s: missing (reference: %d of %d failed)\n", tag, order[i], rf[order[i]], rr[order[i]]; worse++
        }
        printf "SUMMARY [%s] %d groups, %d tests, %d failed; %d groups worse than the reference\n", tag, groups, tests, bad, worse + 0
      }
    ' "$work/ref.groups" "$work/$side.groups")"
    echo "$report" | grep -v '^SUMMARY'
    summary="$(grep '^SUMMARY' <<<"$report" | sed 's/^SUMMARY //')"
    if grep -q '^WORSE' <<<"$report"; then
      echo "FAIL $summary ($((SECONDS - t0)) s)"
      failed=1
    else
      echo "ok   $summary ($((SECONDS - t0)) s)"
    fi
  done
done

if [ "$failed" -ne 0 ]; then
  keep="$(mktemp -d /tmp/blastool-lapack-testers.XXXXXX)"
  cp -r "$work"/. "$keep"/
  echo "run-lapack-testers.sh: FAILED (outputs kept in $keep)"
  exit 1
fi
echo "run-lapack-testers.sh: no LAPACK test group fails more over ours than over the reference BLAS (cores: $cores; threads: $threads_list; $((SECONDS - started)) s)"
