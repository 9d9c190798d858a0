#!/usr/bin/env bash
# Rebuilds every corpus case's /proc tree (CASE/proc, CASE/kmsg) from its CASE/case.sh, which sources lib.sh.
#   ./make-corpus.sh            every case
#   ./make-corpus.sh CASE...    the cases named
set -euo pipefail
cd "$(dirname "$0")"
cases=("$@")
[ ${#cases[@]} -gt 0 ] || mapfile -t cases < <(find . -mindepth 2 -maxdepth 2 -name case.sh -printf '%h\n' | sed 's|^\./||' | sort)
for c in "${cases[@]}"; do
  (cd "$c" && . ../lib.sh && . ./case.sh) || { echo "make-corpus.sh: case $c failed" >&2; exit 1; }
done
echo "${#cases[@]} cases built"
