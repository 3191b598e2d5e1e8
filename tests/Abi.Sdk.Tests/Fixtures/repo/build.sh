#!/usr/bin/env bash
# Builds the package-set fixture: small RPMs whose requirements are satisfied or broken in each way an
# installability check must tell apart, and a createrepo_c repository over them. Rerun to regenerate;
# needs rpmbuild and createrepo_c. Outputs: rpms/*.rpm and repodata/ (committed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
mkdir -p "$top"/{SPECS,BUILD,RPMS,SRPMS,SOURCES,BUILDROOT}

# spec NAME VERSION RELEASE EPOCH "TAGS..." "FILES..."
spec() {
  local name=$1 version=$2 release=$3 epoch=$4 tags=$5 files=$6
  {
    echo "Name: $name"
    echo "Version: $version"
    echo "Release: $release"
    [ -n "$epoch" ] && echo "Epoch: $epoch"
    echo "Summary: Abi.Sdk package-set fixture $name"
    echo "License: MIT"
    echo "BuildArch: noarch"
    echo "AutoReqProv: no"
    printf '%b\n' "$tags"
    echo "%description"
    echo "Fixture package $name."
    echo "%install"
    for f in $files; do
      echo "mkdir -p %{buildroot}$(dirname "$f")"
      echo "echo $name > %{buildroot}$f"
    done
    echo "%files"
    for f in $files; do echo "$f"; done
  } > "$top/SPECS/$name.spec"
  rpmbuild --quiet --define "_topdir $top" --define "_binary_payload w9.gzdio" \
    --define "_buildhost fixture" --define "use_source_date_epoch_as_buildtime 1" \
    --define "source_date_epoch_from_changelog 0" -bb "$top/SPECS/$name.spec" >/dev/null
}

export SOURCE_DATE_EPOCH=1700000000

# The library every application wants, in version 1.0 with two version nodes.
spec libfoo 1.0 1 "" "Provides: libfoo.so.1()(64bit)\nProvides: libfoo.so.1(FOO_1.0)(64bit)\nProvides: libfoo.so.1(FOO_1.1)(64bit)" "/usr/lib64/libfoo.so.1 /usr/bin/foo-tool"
spec libbaz 2.5 3 1 "Provides: libbaz.so.2()(64bit)" "/usr/lib64/libbaz.so.2"
# Satisfied requirements.
spec app-ok 1.0 1 "" "Requires: libfoo.so.1()(64bit)\nRequires: libfoo.so.1(FOO_1.1)(64bit)" "/usr/share/app-ok/marker"
spec app-range-ok 1.0 1 "" "Requires: libfoo >= 1.0\nRequires: libbaz >= 1:2.5-3" "/usr/share/app-range-ok/marker"
spec app-rich-ok 1.0 1 "" "Requires: (libfoo.so.1()(64bit) or libmissing.so.9()(64bit))\nRequires: (libbaz if libfoo)" "/usr/share/app-rich-ok/marker"
spec app-file-ok 1.0 1 "" "Requires: /usr/bin/foo-tool" "/usr/share/app-file-ok/marker"
# Broken requirements, one kind each.
spec app-missing-version 1.0 1 "" "Requires: libfoo.so.1(FOO_2.0)(64bit)" "/usr/share/app-missing-version/marker"
spec app-missing-soname 1.0 1 "" "Requires: libbar.so.2()(64bit)" "/usr/share/app-missing-soname/marker"
spec app-range-broken 1.0 1 "" "Requires: libfoo >= 2.0" "/usr/share/app-range-broken/marker"
spec app-epoch-broken 1.0 1 "" "Requires: libbaz = 2.5-3" "/usr/share/app-epoch-broken/marker"
spec app-rich-broken 1.0 1 "" "Requires: (libfoo.so.1()(64bit) and libmissing.so.9()(64bit))" "/usr/share/app-rich-broken/marker"
spec app-with-broken 1.0 1 "" "Requires: (libfoo with libbaz)" "/usr/share/app-with-broken/marker"
spec app-file-broken 1.0 1 "" "Requires: /usr/bin/no-such-tool" "/usr/share/app-file-broken/marker"
# Broken only through what it needs.
spec app-transitive 1.0 1 "" "Requires: app-missing-soname" "/usr/share/app-transitive/marker"

rm -rf "$here/rpms" "$here/repodata"
mkdir -p "$here/rpms"
cp "$top"/RPMS/noarch/*.rpm "$here/rpms/"
createrepo_c --quiet --no-database --simple-md-filenames --general-compress-type gz --set-timestamp-to-revision --revision 1700000000 --outputdir "$here" "$here/rpms" >/dev/null
# createrepo_c writes repodata/ next to the packages' folder when --outputdir is given.
ls "$here/repodata"
