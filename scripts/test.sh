#!/usr/bin/env bash
# The complete test suite, as the README's quick start and CI run it.
#
# 1. Installs what the tests need: Debian packages (apt-get, when run as root or with sudo on a
#    Debian/Ubuntu machine) and Microsoft's SARIF validator (npm, into .tools/).
# 2. Checks formatting and lints, then runs every test.
#
# Elsewhere it says what is missing. Tests that need an external tool skip loudly when it is
# absent, and fail instead when BLASTOOL_REQUIRE_TOOLS=1 (CI sets it through CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use, with the tool each provides:
#   libopenblas0-pthread  Debian's libopenblas.so.0, audited as a real third-party library
#   gcc-mingw-w64-x86-64  x86_64-w64-mingw32-gcc, compiles the rendered DllMain template
#   clang                 compiles the DllMain template for the MSVC target
#   nodejs npm            runs and installs the SARIF validator
packages=(libopenblas0-pthread gcc-mingw-w64-x86-64 clang nodejs npm)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "test.sh: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "test.sh: not a Debian/Ubuntu machine; install the equivalents of: ${missing[*]}" >&2
  fi
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

if [ -n "${CI:-}" ]; then
  export BLASTOOL_REQUIRE_TOOLS=1
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
