#!/usr/bin/env bash
# Builds the multi-architecture package-set fixture: small x86_64, i686, aarch64 and noarch RPMs (rpmbuild --target)
# whose requirements exercise what libsolv's installcheck does with architectures and how it words problems:
# packages of another architecture that share a name with one of the requested architecture (not checked when the
# set holds rpm of that architecture), providers only of a foreign architecture ("nothing provides"), requirements
# that drag in broken packages (follow-on lines), a requirement listed both as pre-install and plain (printed
# once), and requirements in an unsorted order. Rerun to regenerate; needs rpmbuild and createrepo_c.
# Outputs: rpms/*.rpm and repodata/ (committed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
mkdir -p "$top"/{SPECS,BUILD,RPMS,SRPMS,SOURCES,BUILDROOT}
export SOURCE_DATE_EPOCH=1700000000

# spec NAME ARCH "TAGS..."
spec() {
  local name=$1 arch=$2 tags=$3 file="/usr/share/$1/marker-$2"
  {
    echo "Name: $name"
    echo "Version: 1.0"
    echo "Release: 1"
    echo "Summary: Abi.Sdk architecture fixture $name"
    echo "License: MIT"
    [ "$arch" = noarch ] && echo "BuildArch: noarch"
    echo "AutoReqProv: no"
    printf '%b\n' "$tags"
    echo "%description"
    echo "Fixture package $name."
    echo "%install"
    echo "mkdir -p %{buildroot}$(dirname "$file")"
    echo "echo $name > %{buildroot}$file"
    echo "%files"
    echo "$file"
  } > "$top/SPECS/$name-$arch.spec"
  local target=()
  [ "$arch" != noarch ] && target=(--target "$arch")
  rpmbuild --quiet "${target[@]}" --define "_topdir $top" --define "_binary_payload w9.gzdio" \
    --define "_buildhost fixture" --define "use_source_date_epoch_as_buildtime 1" \
    --define "source_date_epoch_from_changelog 0" -bb "$top/SPECS/$name-$arch.spec" >/dev/null 2>&1
}

# rpm of the requested architecture: installcheck then locks other-architecture packages that share a name
# with a package of the requested architecture, and does not check them.
spec rpm x86_64 ""
spec multi x86_64 ""
spec multi i686 "Requires: libmissing-i686"
spec multi-ok i686 ""
spec multi-ok x86_64 "Requires: libmissing-x86_64"
# Providers only of a foreign architecture, of a compatible one, and of both.
spec libarm aarch64 "Provides: libarm.so.1()(64bit)"
spec libcompat i686 "Provides: libcompat.so.1"
spec app-foreign x86_64 "Requires: libarm.so.1()(64bit)"
spec app-foreign-versioned x86_64 "Requires: libarm >= 2.0"
spec app-compat noarch "Requires: libcompat.so.1"
spec app-needs-locked x86_64 "Requires: multi-marker"
spec multi-marker i686 ""
spec multi-marker x86_64 "Requires: libnothing-marker"
# Requirements that drag in broken packages.
spec mid noarch "Requires: leaf-zeta\nRequires: leaf-alpha"
spec mid2 noarch "Requires: mid"
spec app-drag x86_64 "Requires: mid2\nRequires: libmissing-drag"
spec app-two-broken x86_64 "Requires: mid\nRequires: app-foreign"
spec app-deep noarch "Requires: mid2"
spec alt-a noarch "Provides: alt\nProvides: alt-virtual\nRequires: alt-a-missing"
spec alt-b noarch "Provides: alt\nProvides: alt-virtual\nRequires: alt-b-missing"
spec app-alt noarch "Requires: alt"
spec app-alt2 noarch "Requires: alt-virtual\nRequires: alt"
# Rich requirements over foreign and compatible providers.
spec app-rich-compat x86_64 "Requires: (libarm.so.1()(64bit) or libcompat.so.1)"
spec app-rich-arm x86_64 "Requires: (libcompat.so.1 and libarm.so.1()(64bit))"
# A cycle with a broken member, a diamond, and a virtual capability whose providers fail in different ways.
spec cyc-a noarch "Requires: cyc-b"
spec cyc-b noarch "Requires: cyc-a\nRequires: cyc-missing"
spec app-cyc x86_64 "Requires: cyc-a"
spec d-left noarch "Requires: mid"
spec d-right noarch "Requires: mid\nRequires: d-right-missing >= 3"
spec app-diamond noarch "Requires: d-right\nRequires: d-left"
spec v1 noarch "Provides: vv\nRequires: mid2"
spec v2 noarch "Provides: vv = 2.0\nRequires: v2-missing"
spec v3 i686 "Provides: vv\nRequires: libcompat.so.1"
spec v3 x86_64 "Provides: vv\nRequires: v3-missing"
spec app-vv noarch "Requires: vv >= 1.0\nRequires: (vv or cyc-a)"
spec app-vv-rich x86_64 "Requires: (cyc-a or vv)"
# The same requirement as pre-install and plain, and requirements in an unsorted order.
spec app-twice x86_64 "Requires(pre): libtwice\nRequires: libtwice\nRequires: libzz"
spec app-order noarch "Requires: zeta-missing\nRequires: alpha-missing >= 1.0\nRequires: /usr/bin/mid-missing\nRequires: mid"

rm -rf "$here/rpms" "$here/repodata"
mkdir -p "$here/rpms"
find "$top/RPMS" -name '*.rpm' -exec cp {} "$here/rpms/" \;
repo() {
  createrepo_c --quiet --no-database --simple-md-filenames --general-compress-type gz --set-timestamp-to-revision \
    --revision 1700000000 "$@" >/dev/null
}
repo --outputdir "$here" "$here/rpms"
# The same packages without rpm: installcheck then checks (and locks) nothing by architecture.
rm -rf "$here/without-rpm"
mkdir -p "$here/without-rpm"
repo --excludes 'rpm-1.0-1.x86_64.rpm' --outputdir "$here/without-rpm" "$here/rpms"
