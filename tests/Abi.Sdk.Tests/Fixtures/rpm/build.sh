#!/usr/bin/env bash
# Rebuilds the RPM fixtures in this folder from the specs beside it, with a private rpmbuild _topdir.
# Needs rpmbuild (apt: rpm) and gcc. Outputs are committed; rerun after changing a spec.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
mkdir -p "$top/SOURCES"
cp "$here/hello.c" "$top/SOURCES/"

# Reproducible: fixed build time, clamped mtimes, fixed build host, no build-id links, no debuginfo.
export SOURCE_DATE_EPOCH=1700000000
common=(
  --define "_topdir $top"
  --define "_buildhost fixtures.abi-sdk.invalid"
  --define "use_source_date_epoch_as_buildtime 1"
  --define "clamp_mtime_to_source_date_epoch 1"
  --define "_build_id_links none"
  --define "debug_package %{nil}"
  --define "_source_payload w9.gzdio"
)

rm -f "$here"/*.rpm
rpmbuild -bb --quiet "${common[@]}" "$here/abi-deps.spec"
rpmbuild -bs --quiet "${common[@]}" "$here/abi-deps.spec"
for c in "gzip w9.gzdio" "bzip2 w9.bzdio" "xz w6.xzdio" "lzma w6.lzdio" "zstd w19.zstdio" "none w0.ufdio"; do
  set -- $c
  rpmbuild -bb --quiet "${common[@]}" --define "comp $1" --define "_binary_payload $2" "$here/abi-files.spec"
done
# The 4 GiB file: skip the post-install scripts (they would read and grep 4 GiB) and use fast zstd.
rpmbuild -bb --quiet "${common[@]}" --define "_binary_payload w1.zstdio" \
  --define "__os_install_post %{nil}" --define "__arch_install_post %{nil}" "$here/abi-large.spec"

cp "$top"/RPMS/*/*.rpm "$top"/SRPMS/*.rpm "$here/"
"$here/trailerless.sh"
ls -l "$here"/*.rpm
