#!/usr/bin/env bash
# Rebuilds one package of a corpus side (make-corpus.sh) with its release raised by one, replacing the old file:
# the "one package changed" case of a point release.
#
#   benchmarks/distro/bump-one.sh OUTDIR NAME [SIDE]     (SIDE: rebuild, the default, or base)
set -euo pipefail
out=$(cd "${1:?usage: bump-one.sh OUTDIR NAME [SIDE]}" && pwd)
name=${2:?package name}
side=${3:-rebuild}
old=
for f in "$out/$side"/*.rpm; do
  if [ "$(rpm -qp --nosignature --qf '%{NAME}' "$f" 2>/dev/null)" = "$name" ]; then old=$f; break; fi
done
[ -n "$old" ] || { echo "no package $name in $out/$side" >&2; exit 1; }
spec=$(ls "$out/work/specs/$name@"*.spec)
spec=${spec%%$'\n'*}
rel=$(rpm -qp --nosignature --qf '%{RELEASE}' "$old")
top=$(mktemp -d)
sed -E "s/^Release: .*/Release: $((rel + 1))/" "$spec" > "$top/bumped.spec"
rpmbuild -bb --quiet --define "_topdir $top" --define "_rpmdir $top/out" \
  --define '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm' "$top/bumped.spec" > "$top/log" 2>&1 \
  || { cat "$top/log" >&2; exit 1; }
new=$(ls "$top"/out/*.rpm)
mv "$new" "$out/$side/" && rm -f "$old" && rm -rf "$top"
echo "$(basename "$old") -> $(basename "$new")"
