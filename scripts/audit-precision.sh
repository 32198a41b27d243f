#!/usr/bin/env bash
# audit-precision.sh -- how often `blastool audit` is right, measured with `blastool leakcheck`.
#
# Audits a directory of shared libraries, then load/unload-checks every ELF shared library the
# audit flags (a warning or an error) and a seeded random sample of libraries that have user
# constructors but no warning, and prints:
#   - precision: of the flagged libraries that load, how many really leak per cycle;
#   - misses: leaks among the unflagged sample (what the audit did not see);
#   - one row per library: audit severity, leakcheck verdict, heap bytes/cycle, what grew;
#   - the libraries that could not be checked (missing symbols, plugins that need their host,
#     crashes, timeouts), apart.
#
# WARNING: leakcheck EXECUTES every checked library's constructors and destructors (in a child
# process, with a timeout and a memory limit). Run it on system directories you trust.
#
# Usage: scripts/audit-precision.sh [options] [DIR]     (DIR: /usr/lib/x86_64-linux-gnu)
#   --sample N      unflagged libraries with user constructors to check (default 60)
#   --seed S        seed of the sample (default 13), so a rerun checks the same libraries
#   --cycles N      load/unload cycles per library (default 20)
#   --timeout S     seconds per library before it is killed (default 60)
#   --jobs N        leak checks at a time, 1 or 2 (default 2; they share the CPU)
#   --blastool B    the blastool binary (default: target/release/blastool, else PATH)
#   --keep DIR      keep the audit JSON and every leakcheck result in DIR
set -euo pipefail

sample=60
seed=13
cycles=20
timeout=60
jobs=2
blastool=""
keep=""
dir=/usr/lib/x86_64-linux-gnu
while (($#)); do
  case "$1" in
    --sample) sample="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --cycles) cycles="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --blastool) blastool="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "audit-precision.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) dir="$1"; shift ;;
  esac
done
# More than two checks at a time would disturb each other's figures (and the machine).
if ((jobs < 1 || jobs > 2)); then
  echo "audit-precision.sh: --jobs must be 1 or 2" >&2
  exit 2
fi
if [[ -z "$blastool" ]]; then
  root="$(cd "$(dirname "$0")/.." && pwd)"
  if [[ -x "${CARGO_TARGET_DIR:-$root/target}/release/blastool" ]]; then
    blastool="${CARGO_TARGET_DIR:-$root/target}/release/blastool"
  else
    blastool="$(command -v blastool || true)"
  fi
fi
[[ -x "$blastool" ]] || {
  echo "audit-precision.sh: no blastool binary (cargo build --release, or --blastool)" >&2
  exit 2
}
command -v python3 >/dev/null || { echo "audit-precision.sh: needs python3" >&2; exit 2; }

if [[ -n "$keep" ]]; then
  work="$keep"
  mkdir -p "$work"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/checks"
started=$SECONDS

# 1. The audit. Exit 1 only means it found something.
status=0
"$blastool" audit "$dir" --format json >"$work/audit.json" 2>"$work/audit.stderr" || status=$?
if ((status > 1)); then
  echo "audit-precision.sh: blastool audit failed (exit $status):" >&2
  cat "$work/audit.stderr" >&2
  exit 2
fi
audit_seconds=$((SECONDS - started))

# 2. What to check: every flagged shared library (not archive members), and the sample.
python3 - "$work/audit.json" "$sample" "$seed" >"$work/list.tsv" <<'EOF'
import json, random, sys

audit = json.load(open(sys.argv[1]))
size, seed = int(sys.argv[2]), int(sys.argv[3])
flagged, candidates = [], []
for f in audit["files"]:
    # ELF shared objects only: archive members cannot be loaded, and DLLs would need Wine
    # (and a MinGW for each architecture) for every one of them.
    if (f.get("member") is not None or f.get("kind") != "shared-library"
            or f.get("format") != "elf"):
        continue
    severities = {x["severity"] for x in f.get("findings") or []}
    worst = "error" if "error" in severities else "warning" if "warning" in severities else None
    if worst:
        flagged.append((f["path"], worst))
    elif any(e.get("role") == "constructor" and e.get("origin") == "user"
             for e in f.get("entries") or []):
        candidates.append(f["path"])
for path, worst in sorted(flagged):
    print(f"flagged\t{worst}\t{path}")
for path in random.Random(seed).sample(sorted(candidates), min(size, len(candidates))):
    print(f"sample\tnone\t{path}")
EOF

# 3. The leak checks, at most $jobs at a time. blastool enforces --timeout itself; the outer
# timeout only catches a blastool that hangs on its own.
check_one() {
  local index="$1" path="$2" out="$work/checks/$1"
  local rc=0
  timeout -k 5 $((timeout + 30)) "$blastool" leakcheck "$path" --json --cycles "$cycles" \
    --timeout "$timeout" >"$out.json" 2>"$out.err" </dev/null || rc=$?
  echo "$rc" >"$out.rc"
}
export -f check_one
export work blastool cycles timeout
# One line per check, "INDEX PATH": the path is everything after the first space.
awk -F '\t' '{ print NR " " $3 }' "$work/list.tsv" |
  xargs -d '\n' -P "$jobs" -n 1 bash -c 'check_one "${1%% *}" "${1#* }"' _
elapsed=$((SECONDS - started))

# 4. The figures.
python3 - "$work" "$dir" "$elapsed" "$audit_seconds" "$cycles" "$seed" <<'EOF'
import json, os, subprocess, sys

work, directory, elapsed, audit_seconds, cycles, seed = sys.argv[1:7]
audit = json.load(open(os.path.join(work, "audit.json")))
warnings = sum(1 for f in audit["files"] for x in f.get("findings") or []
               if x["severity"] in ("warning", "error"))
flagged_any = {(f["path"], f.get("member")) for f in audit["files"]
               for x in f.get("findings") or [] if x["severity"] in ("warning", "error")}
rows, failed = [], []
for n, line in enumerate(open(os.path.join(work, "list.tsv")), 1):
    group, severity, path = line.rstrip("\n").split("\t")
    base = os.path.join(work, "checks", str(n))
    rc = int(open(base + ".rc").read().strip() or "-1")
    try:
        result = json.load(open(base + ".json"))
    except (OSError, ValueError):
        result = None
    if result is None:
        err = open(base + ".err", errors="replace").read().strip()
        reason = err.splitlines()[0] if err else f"exit {rc}"
        reason = reason.removeprefix("error: ")
        if rc == 124 or rc == 137:
            reason = "killed by the outer timeout"
        failed.append((group, severity, path, reason))
        continue
    heap = result.get("heap_bytes_per_cycle")
    rows.append((group, severity, path, result["verdict"], heap, result.get("grew") or []))

def short(path):
    return os.path.relpath(path, directory) if path.startswith(directory) else path

flagged = [r for r in rows if r[0] == "flagged"]
sampled = [r for r in rows if r[0] == "sample"]
leaks = [r for r in flagged if r[3] == "leak"]
misses = [r for r in sampled if r[3] == "leak"]

# A library loads its dependencies with it and unloads them with it, so a leak in a flagged
# dependency shows up again in every library that needs it. ldd (the loader's trace mode,
# which runs no constructors) tells those misses from the library's own.
leaking = {os.path.realpath(r[2]): r[2] for r in leaks}
def leaking_dependencies(path):
    try:
        out = subprocess.run(["ldd", path], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found = []
    for line in out.splitlines():
        parts = line.split("=>")
        target = parts[1].split()[0] if len(parts) > 1 and parts[1].split() else ""
        if target.startswith("/") and os.path.realpath(target) in leaking:
            found.append(os.path.basename(leaking[os.path.realpath(target)]))
    return found
via = {r[2]: leaking_dependencies(r[2]) for r in misses}
inherited = sum(1 for r in misses if via[r[2]])
def count(rows, verdict):
    return sum(1 for r in rows if r[3] == verdict)
flagged_total = sum(1 for line in open(os.path.join(work, "list.tsv")) if line.startswith("flagged"))
sample_total = sum(1 for line in open(os.path.join(work, "list.tsv")) if line.startswith("sample"))
pct = lambda a, b: f"{100.0 * a / b:.0f}%" if b else "n/a"

print(f"audit-precision: {directory} ({cycles} cycles per library, sample seed {seed})")
print(f"  warnings and errors:          {warnings}")
print(f"  flagged libraries:            {len(flagged_any)} "
      f"({flagged_total} shared libraries, the rest archive members or objects)")
print(f"  loadable flagged libraries:   {len(flagged)} "
      f"(clean {count(flagged, 'clean')}, not-unloaded {count(flagged, 'not-unloaded')}, "
      f"leak {len(leaks)})")
print(f"  confirmed leaks (precision):  {len(leaks)} of {len(flagged)} = {pct(len(leaks), len(flagged))}")
print(f"  unflagged sample loadable:    {len(sampled)} of {sample_total} "
      f"(libraries with user constructors and no warning)")
print(f"  leaks in the sample (misses): {len(misses)} of {len(sampled)}"
      f" ({inherited} through a flagged dependency that leaks)")
print(f"  not loadable:                 {len(failed)}")
print(f"  run time:                     {elapsed} s (audit {audit_seconds} s)")
print()
width = max([len(short(r[2])) for r in rows + failed] + [7])
print(f"{'library':<{width}}  {'audit':<8} {'verdict':<13} {'heap B/cycle':>12}  grew")
for r in sorted(rows, key=lambda r: (r[0], r[3] != "leak", r[2])):
    heap = "-" if r[4] is None else f"{r[4]:.0f}"
    grew = ",".join(r[5]) or "-"
    if via.get(r[2]):
        grew += f" (via {', '.join(via[r[2]])})"
    print(f"{short(r[2]):<{width}}  {r[1]:<8} {r[3]:<13} {heap:>12}  {grew}")
if failed:
    print()
    print("not loadable (not counted above):")
    for group, severity, path, reason in sorted(failed, key=lambda f: f[2]):
        print(f"  {short(path)} [{severity}]: {reason[:160]}")
EOF
