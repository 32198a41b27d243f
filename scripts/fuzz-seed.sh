#!/usr/bin/env bash
# Seeds the audit fuzzer's corpus with every committed fixture binary, then runs it.
# Usage: scripts/fuzz-seed.sh [SECONDS]   (default 600; needs the nightly toolchain and cargo-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
corpus=fuzz/corpus/audit
mkdir -p "$corpus"
# Fixture names repeat across directories (paired.so ...): name the seeds after their paths.
find tests/fixtures -path '*/bin/*' -type f -size -512k | while read -r file; do
  cp "$file" "$corpus/seed-$(echo "$file" | tr '/' '_')"
done
# Containers too: a wheel-like zip and a gzipped tarball of a few fixtures, so the fuzzer starts
# from valid zip, tar and gzip framing around real binaries.
python3 - "$corpus" <<'PY'
import io, sys, tarfile, zipfile
corpus = sys.argv[1]
files = ["tests/fixtures/bin/elf/x86_64-gnuld/unpaired.so", "tests/fixtures/bin/coff/x86_64-msvc/msvc_ctor.obj"]
with zipfile.ZipFile(f"{corpus}/seed-container.whl", "w", zipfile.ZIP_DEFLATED) as z:
    for f in files:
        z.write(f, "pkg/" + f.rsplit("/", 1)[1])
    z.writestr("pkg/__init__.py", "pass\n")
with tarfile.open(f"{corpus}/seed-container.tgz", "w:gz") as t:
    for f in files:
        t.add(f, "package/" + f.rsplit("/", 1)[1])
PY
cd fuzz
exec cargo +nightly fuzz run audit "corpus/audit" -- -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=1048576
