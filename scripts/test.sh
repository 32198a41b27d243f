#!/usr/bin/env bash
# The complete test suite, as the README's quick start and CI run it.
#
# 1. Installs what the tests need: Debian packages (apt-get, when run as root or with sudo on a
#    Debian/Ubuntu machine), Microsoft's SARIF validator (npm, into .tools/) and the Python
#    packaging tools (pip, into the venv .tools/venv).
# 2. Checks formatting and lints, then runs every test.
#
# Elsewhere it says what is missing. Tests that need an external tool skip loudly when it is
# absent, and fail instead when BLASTOOL_REQUIRE_TOOLS=1 (CI sets it through CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."

# What the tests use: a command (or file) to check, and the Debian package(s) that provide it.
# Only what is missing is installed, so a machine whose node/npm come from elsewhere is left
# alone.
requirements=(
  "/usr/lib/x86_64-linux-gnu/libopenblas.so.0 libopenblas0-pthread" # a real third-party BLAS to audit
  "x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64"                      # compiles the DllMain template
  "clang clang"                                                       # ... and for the MSVC target
  "node nodejs"                                                       # runs the SARIF validator's installer
  "npm npm"                                                           # installs the SARIF validator
  "/usr/lib/x86_64-linux-gnu/blas/xblat1d libblas-test"               # reference BLAS testers for kernels/
  "/usr/lib/x86_64-linux-gnu/blas64/xblat1d libblas64-test"           # ... their ILP64 build (--interface64)
  "/usr/lib/x86_64-linux-gnu/lapack/xlintstd liblapack-test"          # LAPACK's own testers (run-lapack-testers.sh)
  "/usr/lib/x86_64-linux-gnu/lapack/liblapack.so.3 liblapack3"        # ... the reference LAPACK they run on
  "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3 libblas3"              # ... over the reference BLAS, to compare
  "nm binutils"                                                       # ... which also checks our exports
  "wine wine64 wine"                                                  # runs DLLs for leakcheck
  "cc gcc"                                                            # compiles build's smoke program
  "pkg-config pkg-config"                                             # checks build's .pc file
  "cmake cmake"                                                       # checks build's CMake package
  "aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu"                       # links ARM64 cross builds
  "qemu-aarch64 qemu-user"                                            # runs their smoke program
  "python3 python3-venv python3-pip"                                  # pip install of the checkout, .tools/venv
  "git git"                                                           # pre-commit try-repo
)
missing=()
more=()
for requirement in "${requirements[@]}"; do
  read -r what packages <<<"$requirement"
  if [[ "$what" == /* ]]; then
    [ -e "$what" ] || read -r -a more <<<"$packages"
  else
    command -v "$what" >/dev/null 2>&1 || read -r -a more <<<"$packages"
  fi
  missing+=("${more[@]}")
  more=()
done
# Debian splits venv/ensurepip out of python3: a python3 without it cannot make the test venvs.
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
  missing+=(python3-venv)
fi
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "test.sh: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "test.sh: not a Debian/Ubuntu machine; install the equivalents of: ${missing[*]}" >&2
  fi
fi

# Rust standard libraries for the cross builds (tests/build_cross.rs); rustup downloads them.
if command -v rustup >/dev/null 2>&1; then
  installed="$(rustup target list --installed)"
  for triple in aarch64-unknown-linux-gnu x86_64-pc-windows-gnu; do
    if ! grep -qx "$triple" <<<"$installed"; then
      echo "test.sh: rustup target add $triple" >&2
      rustup target add "$triple" >/dev/null
    fi
  done
else
  echo "test.sh: rustup is missing; the cross-build tests need aarch64-unknown-linux-gnu and x86_64-pc-windows-gnu" >&2
fi

validator=.tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ ! -x "$validator" ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "test.sh: installing the SARIF validator into .tools/" >&2
    npm install --silent --no-audit --no-fund --prefix .tools @microsoft/sarif-multitool@5.7.0 >/dev/null
  else
    echo "test.sh: npm is missing; the SARIF validation test cannot run" >&2
  fi
fi

# pre-commit (the hook test), check-jsonschema (GitHub's action and workflow schemas, offline),
# cibuildwheel (its option reader checks the audit recipe): PyPI, into a venv of our own.
python_tools=(pre-commit check-jsonschema cibuildwheel)
if [ ! -x .tools/venv/bin/cibuildwheel ] || [ ! -x .tools/venv/bin/pre-commit ] || [ ! -x .tools/venv/bin/check-jsonschema ]; then
  if python3 -m venv .tools/venv >/dev/null 2>&1; then
    echo "test.sh: installing ${python_tools[*]} into .tools/venv" >&2
    .tools/venv/bin/pip install --quiet --disable-pip-version-check "${python_tools[@]}" >/dev/null
  else
    echo "test.sh: python3 -m venv does not work; the packaging tests cannot run" >&2
  fi
fi

if [ -n "${CI:-}" ]; then
  export BLASTOOL_REQUIRE_TOOLS=1
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
# Run every test; close with one line that counts them all (cargo prints one per test binary).
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
count() { grep -E '^test result:' "$log" | grep -oE "[0-9]+ $1" | awk '{n += $1} END {print n + 0}'; }
echo
echo "tests: $(count passed) passed, $(count failed) failed"
exit "$status"
