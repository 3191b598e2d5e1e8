#!/usr/bin/env bash
# Times abipkgdiff (libabigail) over the package pairs of a corpus built by make-corpus.sh: every package of base/
# against the package of the same name in rebuild/, one after another, as the reference for the distribution diff.
#
#   benchmarks/distro/abipkgdiff-all.sh OUTDIR [EVERY]
#
# EVERY=N times only every Nth pair (by name) and extrapolates to all of them. Prints one line per pair
# (seconds, exit status, name) to OUTDIR/abipkgdiff.tsv and a summary.
set -euo pipefail
out=${1:?usage: abipkgdiff-all.sh OUTDIR [EVERY]}
every=${2:-1}
command -v abipkgdiff > /dev/null || { echo "abipkgdiff (abigail-tools) is not installed" >&2; exit 2; }
names() { for f in "$1"/*.rpm; do echo "$(rpm -qp --nosignature --qf '%{NAME}' "$f" 2>/dev/null) $f"; done | sort; }
names "$out/base" > "$out/base.names"
names "$out/rebuild" > "$out/rebuild.names"
join "$out/base.names" "$out/rebuild.names" > "$out/pairs.txt"
total=$(wc -l < "$out/pairs.txt")
: > "$out/abipkgdiff.tsv"
i=0 timed=0 sum=0
while read -r name old new; do
  i=$((i + 1))
  (( (i - 1) % every == 0 )) || continue
  start=$(date +%s.%N)
  set +e; abipkgdiff "$old" "$new" > /dev/null 2>&1; rc=$?; set -e
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  printf '%s\t%s\t%s\n' "$secs" "$rc" "$name" >> "$out/abipkgdiff.tsv"
  timed=$((timed + 1)); sum=$(echo "$sum + $secs" | bc)
done < "$out/pairs.txt"
echo "abipkgdiff: $timed of $total pairs in $sum s; all $total pairs extrapolated: $(echo "$sum * $total / $timed" | bc) s"
echo "non-zero exits: $(awk -F'\t' '$2 != 0' "$out/abipkgdiff.tsv" | wc -l) (abipkgdiff exits non-zero when it finds ABI changes)"
