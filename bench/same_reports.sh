#!/usr/bin/env bash
# Reports before and after a change, compared byte for byte: every example folder and
# generated snapshots (bench/generate.py), in every format, checked by the code of REV
# (a commit) and by the working tree.
#
#   bash bench/same_reports.sh REV [CUSTOMERS ...]      # default sizes: 1000 100000
set -euo pipefail
rev=${1:?usage: bench/same_reports.sh REV [CUSTOMERS ...]}
shift
sizes=("${@:-1000}")
[ $# -eq 0 ] && sizes=(1000 100000)
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$root/.venv/bin/python}
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/before" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add -q --detach "$work/before" "$rev"

report() {  # tree, name, paths...: every format of one check, into $work/<tree-name>/<name>
  local tree=$1 name=$2 out
  shift 2
  out=$work/$(basename "$tree")-out/$name
  mkdir -p "$out"
  (cd "$tree" && PYTHONPATH=$tree "$python" -m checker check "$@" --fail-on never \
     -f json -o "$out/report.json" -f text -o "$out/report.txt" -f sarif -o "$out/report.sarif" \
     -f junit -o "$out/report.xml" -f markdown -o "$out/report.md" -f html -o "$out/report.html" \
     -q >/dev/null)
}

cases=0
for folder in $(cd "$root" && find examples -type d | sort); do
  [ -n "$(find "$root/$folder" -name '*.yaml' -o -name '*.json' | head -1)" ] || continue
  name=${folder//\//-}
  report "$work/before" "$name" "$folder"
  report "$root" "$name" "$folder"
  cases=$((cases + 1))
done
for size in "${sizes[@]}"; do
  "$python" "$root/bench/generate.py" --customers "$size" --out "$work/generated-$size"
  report "$work/before" "generated-$size" "$work/generated-$size"
  report "$root" "generated-$size" "$work/generated-$size"
  cases=$((cases + 1))
done
if diff -r "$work/before-out" "$work/$(basename "$root")-out" >"$work/diff" 2>&1; then
  echo "same reports: $cases checks, 6 formats each, byte for byte ($rev and the working tree)"
else
  head -40 "$work/diff"
  echo "reports differ between $rev and the working tree" >&2
  exit 1
fi
