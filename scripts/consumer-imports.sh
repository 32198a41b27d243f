#!/usr/bin/env bash
# consumer-imports.sh: which BLAS functions do real consumers of a BLAS library actually import,
# and does a given library (ours) export every one of them?
#
# Why: "drop-in replacement" is only true for the names callers really bind to. This script
# downloads pinned binary wheels of numpy, scipy and PyTorch from PyPI, reads the BLAS/CBLAS
# symbols their shared objects import (from the dynamic symbol table; for PyTorch, which links
# oneMKL statically, from the dynamic relocations that call into the copy it carries), strips the
# scipy-openblas decorations (prefix `scipy_`, ILP64 suffix `64_`), and compares them with what
# LIB exports. Per consumer it prints the imported BLAS names, those LIB lacks, and (listed apart,
# never counted as gaps) LAPACK names and vendor-specific calls.
#
# Julia: no Julia binary is served by the registries this project reaches, so Julia is read
# from a local copy only: JULIA_DIR=<unpacked julia-1.x tree> (strings of sys.so and lib/julia/*.so:
# ccall targets are bound lazily, by name) or, failing that, JULIA_LA_SRC=<LinearAlgebra.jl checkout>
# (the names its src/*.jl pass to @blasfunc). Without either, the Julia section says it was skipped.
#
# Usage: scripts/consumer-imports.sh [--prefix P] [--suffix S] [LIB]
#   LIB        the library to check (default ./blastool-generic/lib/libblastool.so)
#   --prefix/--suffix  decoration LIB's exported names carry (e.g. --suffix 64_ for an
#              --interface64 build), stripped before comparing
# Environment: WHEEL_DIR (downloads and unpacked wheels, default /tmp/consumer-wheels, keep it
# out of the repository), JULIA_DIR, JULIA_LA_SRC, JULIA_LBT_SRC (a libblastrampoline checkout:
# adds a section for every BLAS name it can forward). Needs python3 with pip, unzip, nm, objdump,
# strings, and PyPI (~600 MB of wheels, torch's alone ~540 MB; downloads are reused).
#
# Pinned consumers (manylinux x86_64, CPython 3.12):
#   numpy 2.5.5   links numpy.libs/libscipy_openblas64_ (ILP64; prefix scipy_, suffix 64_)
#   scipy 1.18.1  links scipy.libs/libscipy_openblas (LP64; prefix scipy_)
#   torch 2.15.0  PyPI's Linux x86_64 wheel (the CUDA build: the CPU-only wheel lives on PyTorch's
#                 own index, which is not reached here; its CPU BLAS is libtorch_cpu.so's, the same
#                 library). oneMKL is linked statically into libtorch_cpu.so.
set -euo pipefail

NUMPY_VERSION=2.5.5
SCIPY_VERSION=1.18.1
TORCH_VERSION=2.15.0
PLATFORMS=(--platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64)

die() { echo "consumer-imports.sh: $*" >&2; exit 1; }

prefix='' suffix='' lib=./blastool-generic/lib/libblastool.so
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a value"; prefix=$2; shift 2 ;;
    --suffix) [ $# -ge 2 ] || die "--suffix needs a value"; suffix=$2; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --suffix=*) suffix=${1#*=}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) lib=$1; shift ;;
  esac
done

for tool in python3 unzip nm objdump strings awk sort comm grep sed; do
  command -v "$tool" >/dev/null 2>&1 || die "missing tool: $tool (install it and re-run)"
done
python3 -m pip --version >/dev/null 2>&1 || die "missing tool: pip for python3 (python3 -m pip)"
[ -f "$lib" ] || die "no library at $lib (build one: cargo run --release -- build --target GENERIC)"

wheels=${WHEEL_DIR:-/tmp/consumer-wheels}
mkdir -p "$wheels"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# fetch NAME VERSION: download the wheel once, print its path.
fetch() {
  local whl
  whl=$(find "$wheels" -maxdepth 1 -name "$1-$2-cp312-*.whl" | head -n1)
  if [ -z "$whl" ]; then
    if ! python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
        "${PLATFORMS[@]}" -d "$wheels" "$1==$2" >"$tmp/pip.log" 2>&1; then
      die "cannot download $1==$2 from PyPI (no network or registry?): $(grep -m1 -E 'ERROR|Error' "$tmp/pip.log" || tail -n1 "$tmp/pip.log")"
    fi
    whl=$(find "$wheels" -maxdepth 1 -name "$1-$2-cp312-*.whl" | head -n1)
    [ -n "$whl" ] || die "pip reported success but no $1-$2 wheel is in $wheels"
  fi
  echo "$whl"
}

# unpack WHEEL DIR [PATTERN...]: unzip once (only PATTERNs if given).
unpack() {
  local whl=$1 out=$2; shift 2
  [ -f "$out/.unpacked" ] && return 0
  unzip -q -o "$whl" "$@" -d "$out" || die "cannot unzip $whl"
  touch "$out/.unpacked"
}

# Shared objects of an unpacked wheel that belong to the consumer itself (not the vendored libs).
own_objects() { find "$1" -type f \( -name '*.so' -o -name '*.so.*' \) ! -path '*.libs/*' | sort; }

# undefined SO...: dynamic symbols the objects import, without version tags.
undefined() {
  local f
  for f in "$@"; do nm -D --undefined-only "$f" 2>/dev/null || true; done |
    awk '{print $NF}' | sed 's/@.*//' | sort -u
}

# Canonical name, as a plain LP64 build exports it: Fortran `dgemm_`, CBLAS `cblas_dgemm`,
# `openblas_set_num_threads`. Strips the scipy_ prefix and the 64_ ILP64 suffix (stdin -> stdout).
undecorate_scipy() { sed -n 's/^scipy_//p' | sed 's/64_$//' | sort -u; }

# classify: reads canonical names, prints "CLASS NAME" with CLASS one of
# blas (reference level 1-3, CBLAS, OpenBLAS extensions, BLAS's own xerbla/lsame),
# config (openblas_*/goto*/MKL threading and service calls), vendor (MKL-only BLAS extensions and
# internals), lapack (LAPACK/LAPACKE: not ours), other.
classify() {
  awk '
  function blasbase(b,   p) {
    # level 1
    if (b ~ /^[sd]rot(g|m|mg)?$/ || b ~ /^(cs|zd)rot$/ || b ~ /^[cz]rotg$/) return 1
    if (b ~ /^[sdcz](swap|scal|copy|axpy|axpby)$/ || b ~ /^(cs|zd)scal$/) return 1
    if (b ~ /^[sd]dot$/ || b ~ /^(dsdot|sdsdot)$/ || b ~ /^[cz]dot[uc](_sub)?$/) return 1
    if (b ~ /^[sd](nrm2|asum)$/ || b ~ /^(sc|dz)(nrm2|asum)$/ || b ~ /^[sd]cabs1$/) return 1
    if (b ~ /^[cz]axpyc$/ || b ~ /^(sc|dz)a?(max|min)$/) return 1
    if (b ~ /^i[sdcz]a?(max|min)$/ || b ~ /^[sdcz]a?(max|min)$/ || b ~ /^(sc|dz)?sum$/ || b ~ /^[sdcz]sum$/) return 1
    # level 2
    if (b ~ /^[sdcz](gemv|gbmv|trmv|tbmv|tpmv|trsv|tbsv|tpsv)$/) return 1
    if (b ~ /^[sd](symv|sbmv|spmv|ger|syr|spr|syr2|spr2)$/) return 1
    if (b ~ /^[cz](hemv|hbmv|hpmv|geru|gerc|her|hpr|her2|hpr2)$/) return 1
    # level 3 (+ gemmt/gemmtr, gemm3m)
    if (b ~ /^[sdcz](gemm|symm|syrk|syr2k|trmm|trsm|gemmtr?|gemm3m)$/ || b ~ /^[cz](hemm|herk|her2k)$/) return 1
    # OpenBLAS extensions
    if (b ~ /^[sdcz](omatcopy|imatcopy|geadd)$/ || b ~ /^[sdcz]gemm_batch(_strided)?$/) return 1
    if (b ~ /^[sdcz]gemv_batch(_strided)?$/) return 1
    if (b ~ /^(sb|sh|bf)(gemm|gemv|dot|gemmtr?|gemm_batch(_strided)?)$/ || b ~ /^(sbstobf16|sbdtobf16|sbf16tos|dbf16tod)$/) return 1
    # BLAS-provided helpers
    if (b ~ /^(xerbla|xerbla_array|lsame)$/) return 1
    return 0
  }
  {
    n = $1; c = "other"
    if (n ~ /^(openblas_|goto|gotoblas|blas_(thread|cpu)|MKL_(Set|Get|Domain|Free|Verbose|Enable|Cbwr|Set_)|mkl_(set|get|domain|free_buffers|cbwr|verbose|enable|progress|set_xerbla))/ || n ~ /^MKL_(PROGRESS|Detect)/) c = "config"
    else if (n ~ /^mkl_(blas|lapack|serv|gf_wrp|vml|dft)_/ || n ~ /^MKL_[SDCZ](omat|imat)/ || n ~ /^cblas_(gemm_(bf16bf16f32|f16f16f32|s8u8s32|s16s16s32)|[sd]gemm_(pack|compute|pack_get_size|alloc|free))/ || n ~ /^[sd]gemm_(pack|compute|pack_get_size)_$/ || n ~ /^cblas_xerbla_malloc_error$/) c = "vendor"
    else if (n ~ /^cblas_/) {
      b = substr(n, 7)
      if (b == "xerbla" || blasbase(b)) c = "blas"
      else c = "other"
    }
    else if (n ~ /^LAPACKE_/ || n ~ /^lapack_/) c = "lapack"
    else if (n ~ /^[a-z][a-z0-9_]*_$/) {
      b = substr(n, 1, length(n) - 1)
      # LAPACK routines start with a precision letter, or are its i*/la* helpers
      if (blasbase(b)) c = "blas"
      else if (b ~ /^([sdcz]|i(la|cmax1|zmax1|parmq|param2stage|eeeck)|lsamen$|second$|dsecnd$)/) c = "lapack"
    }
    else if (n ~ /^(ilaenv|ilaver|ieeeck|iparmq)$/) c = "lapack"
    print c, n
  }'
}

# Exported names of LIB, undecorated, as canonical names.
nm -D --defined-only "$lib" | awk '$2 ~ /^[TtWiVv]$/ {print $NF}' | sed 's/@.*//' |
  awk -v p="$prefix" -v s="$suffix" '
    (p == "" || index($0, p) == 1) && (s == "" || substr($0, length($0) - length(s) + 1) == s) {
      n = substr($0, length(p) + 1); n = substr(n, 1, length(n) - length(s)); print n }' |
  sort -u >"$tmp/ours"
[ -s "$tmp/ours" ] || die "$lib exports no functions with prefix '$prefix' and suffix '$suffix'"

total_missing=0
# report CONSUMER DESCRIPTION NAMESFILE: classify and print one consumer's section.
report() {
  local name=$1 desc=$2 names=$3 cls
  classify <"$names" | sort -u >"$tmp/cls"
  echo "== $name: $desc"
  for cls in blas config vendor lapack other; do
    awk -v c="$cls" '$1 == c {print $2}' "$tmp/cls" | sort -u >"$tmp/$cls"
  done
  printf 'BLAS/CBLAS imported (%d): %s\n' "$(wc -l <"$tmp/blas")" "$(tr '\n' ' ' <"$tmp/blas")"
  comm -23 "$tmp/blas" "$tmp/ours" >"$tmp/missing"
  printf '  lacking in %s (%d): %s\n' "$(basename "$lib")" "$(wc -l <"$tmp/missing")" \
    "$( [ -s "$tmp/missing" ] && tr '\n' ' ' <"$tmp/missing" || echo none)"
  total_missing=$((total_missing + $(wc -l <"$tmp/missing")))
  if [ -s "$tmp/config" ]; then
    comm -23 "$tmp/config" "$tmp/ours" >"$tmp/cmissing"
    printf 'threading/config calls (%d): %s\n' "$(wc -l <"$tmp/config")" "$(tr '\n' ' ' <"$tmp/config")"
    printf '  lacking in %s (%d): %s\n' "$(basename "$lib")" "$(wc -l <"$tmp/cmissing")" \
      "$( [ -s "$tmp/cmissing" ] && tr '\n' ' ' <"$tmp/cmissing" || echo none)"
  fi
  if [ -s "$tmp/vendor" ]; then
    printf 'vendor-specific (MKL-only extensions and internals, no portable equivalent name) (%d): %s\n' \
      "$(wc -l <"$tmp/vendor")" "$(tr '\n' ' ' <"$tmp/vendor")"
  fi
  printf 'LAPACK, not ours (%d): %s\n' "$(wc -l <"$tmp/lapack")" "$(tr '\n' ' ' <"$tmp/lapack")"
  if [ -s "$tmp/other" ]; then
    printf 'other (%d): %s\n' "$(wc -l <"$tmp/other")" "$(tr '\n' ' ' <"$tmp/other")"
  fi
  echo
}

echo "consumer-imports: $(date -u '+%Y-%m-%d %H:%M UTC'), library $lib" \
  "(prefix '${prefix}', suffix '${suffix}', $(wc -l <"$tmp/ours") exported names)"
echo

# numpy and scipy: extension modules import scipy-openblas names from the vendored library.
for pkg in numpy:$NUMPY_VERSION scipy:$SCIPY_VERSION; do
  p=${pkg%%:*} v=${pkg#*:}
  whl=$(fetch "$p" "$v")
  dir="$wheels/x-$p-$v"
  unpack "$whl" "$dir"
  mapfile -t objs < <(own_objects "$dir")
  [ ${#objs[@]} -gt 0 ] || die "no shared objects in $whl"
  blaslib=$(find "$dir" -path '*.libs/*' -name 'lib*openblas*.so*' -printf '%f ' )
  undefined "${objs[@]}" | grep '^scipy_' | undecorate_scipy >"$tmp/names" || true
  [ -s "$tmp/names" ] || die "$p $v imports no scipy_ names: has its BLAS changed?"
  report "$p $v" "$(basename "$whl"), ${#objs[@]} shared objects; BLAS: ${blaslib:-none vendored}" "$tmp/names"
done

# torch: oneMKL is inside libtorch_cpu.so. The names its code calls are still exported and
# bound through the PLT/GOT (dynamic relocations against symbols the file itself defines);
# other torch libraries import them from libtorch_cpu.so like any dynamic library.
whl=$(fetch torch "$TORCH_VERSION")
dir="$wheels/x-torch-$TORCH_VERSION"
unpack "$whl" "$dir" 'torch/lib/*.so*' 'torch/_C*.so' 'torch-*.dist-info/METADATA'
cpu="$dir/torch/lib/libtorch_cpu.so"
[ -f "$cpu" ] || die "no torch/lib/libtorch_cpu.so in $whl"
mapfile -t objs < <(find "$dir/torch" -type f \( -name '*.so' -o -name '*.so.*' \) | sort)
nm -D --defined-only "$cpu" | awk '{print $NF}' | sed 's/@.*//' | sort -u >"$tmp/cpu_defs"
objdump -R "$cpu" | awk 'NF == 3 {print $3}' | sed 's/@.*//' | sort -u >"$tmp/cpu_relocs"
# (oneMKL's calls between its own internals, mkl_blas_*/mkl_lapack_*/mkl_serv_*..., are left out)
comm -12 "$tmp/cpu_defs" "$tmp/cpu_relocs" | grep -v -E '^mkl_(blas|lapack|serv|vml|dft|sparse|spblas|pds|trans|vsl|graph|cbwr_|jit)' >"$tmp/bound" || true
undefined "${objs[@]}" >"$tmp/imports"
cat "$tmp/bound" "$tmp/imports" | sort -u | classify | awk '$1 != "other" {print $2}' >"$tmp/names"
if grep -q '^mkl_serv_' "$tmp/cpu_defs"; then bundled="oneMKL, statically linked into libtorch_cpu.so"
elif grep -q '^openblas_' "$tmp/cpu_defs"; then bundled="OpenBLAS, statically linked into libtorch_cpu.so"
else bundled="no BLAS inside libtorch_cpu.so: see its NEEDED entries"; fi
report "torch $TORCH_VERSION" "$(basename "$whl"); BLAS: $bundled (names its code binds through PLT/GOT)" "$tmp/names"

# Julia: LinearAlgebra calls libblastrampoline with ILP64 names (`dgemm_64_`, `cblas_ddot64_`);
# libblastrampoline forwards each to the loaded library and, when one is loaded, probes it for
# the names below (suffix, integer width, complex-return and CBLAS conventions, threading).
lbt_probes="isamax_ sdot_ cdotc_ zdotc_ cblas_zdotc_sub lsame_ openblas_get_num_threads openblas_set_num_threads"
if [ -n "${JULIA_DIR:-}" ] && [ -d "$JULIA_DIR" ]; then
  find "$JULIA_DIR/lib" -type f \( -name 'sys.so' -o -name '*.so' -o -name '*.so.*' \) -print0 |
    xargs -0 strings -a | grep -x -E '(cblas_)?[a-z][a-z0-9_]*64_' | sed 's/64_$//' | sort -u >"$tmp/names"
  tr ' ' '\n' <<<"$lbt_probes" >>"$tmp/names"
  sort -u -o "$tmp/names" "$tmp/names"
  report "julia" "$JULIA_DIR (strings of lib/**/*.so: lazily bound ccall names ending 64_, plus libblastrampoline's probes; needs an ILP64 build, --interface64)" "$tmp/names"
elif [ -n "${JULIA_LA_SRC:-}" ] && [ -d "$JULIA_LA_SRC/src" ]; then
  cat "$JULIA_LA_SRC"/src/*.jl | grep -o -E ':(cblas_[a-z0-9_]+|[a-z][a-z0-9]+_)\b' | sed 's/^://' |
    grep -v -x cblas_divergence | sort -u >"$tmp/names"
  tr ' ' '\n' <<<"$lbt_probes" >>"$tmp/names"
  sort -u -o "$tmp/names" "$tmp/names"
  ver=$(sed -n 's/^version = "\(.*\)"/\1/p' "$JULIA_LA_SRC/Project.toml" 2>/dev/null || true)
  report "julia LinearAlgebra ${ver:-?} (source)" "$JULIA_LA_SRC/src/*.jl names passed to @blasfunc (called as NAME64_, so it needs an ILP64 build, --interface64), plus libblastrampoline's probes" "$tmp/names"
else
  echo "== julia: skipped: no Julia binary is served by the registries reached here;"
  echo "   set JULIA_DIR=<unpacked julia tree> or JULIA_LA_SRC=<LinearAlgebra.jl checkout>"
  echo
fi

consumers_missing=$total_missing
# What libblastrampoline can forward at all (its generated table of exported names), for the
# names Julia packages other than LinearAlgebra (or C code loaded into Julia) might call.
if [ -n "${JULIA_LBT_SRC:-}" ] && [ -f "$JULIA_LBT_SRC/src/exported_funcs.inc" ]; then
  sed -n '/define EXPORTED_FUNCS(XX)/,/^$/p' "$JULIA_LBT_SRC/src/exported_funcs.inc" |
    grep -o -E 'XX\([A-Za-z_0-9]+' | sed 's/^XX(//' | sort -u >"$tmp/names"
  report "libblastrampoline (source, the names it forwards)" "$JULIA_LBT_SRC/src/exported_funcs.inc: not imports, the ceiling of what Julia code can reach through it" "$tmp/names"
fi

echo "total BLAS/CBLAS names imported by some consumer and lacking in $(basename "$lib"): $consumers_missing (counted per consumer)"
