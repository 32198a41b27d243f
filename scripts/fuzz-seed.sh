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
cd fuzz
exec cargo +nightly fuzz run audit "corpus/audit" -- -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=1048576
