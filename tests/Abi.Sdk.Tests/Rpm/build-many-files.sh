#!/bin/bash
# Builds abi-many-1.0-1.noarch.rpm in $1 for RpmFileColumnsDifferentialTests: 150 files (more than two of the reader's 64-file blocks) of mixed kinds,
# scripts with per-file dependencies, a %config, a %ghost, a %lang and a %verify file.
set -euo pipefail
out=$1
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
mkdir -p "$top"/SPECS
{
  echo "Name: abi-many"; echo "Version: 1.0"; echo "Release: 1"; echo "Summary: many files"; echo "License: MIT"; echo "BuildArch: noarch"
  echo "%description"; echo "Many files."
  echo "%install"
  echo "mkdir -p %{buildroot}/opt/many/d"
  echo 'for i in $(seq 0 139); do case $((i % 4)) in 0) printf "#!/bin/sh\necho %s\n" $i > %{buildroot}/opt/many/f$i; chmod 755 %{buildroot}/opt/many/f$i;; 1) printf "#!/bin/bash\necho %s\n" $i > %{buildroot}/opt/many/f$i; chmod 700 %{buildroot}/opt/many/f$i;; 2) head -c $((i * 37)) /dev/zero > %{buildroot}/opt/many/f$i;; 3) ln -s f$((i - 1)) %{buildroot}/opt/many/f$i;; esac; done'
  echo 'for i in 0 1 2 3 4; do mkdir -p %{buildroot}/opt/many/d/sub$i; done'
  echo 'echo conf > %{buildroot}/opt/many/d/app.conf; echo de > %{buildroot}/opt/many/d/de.txt; echo v > %{buildroot}/opt/many/d/noverify'
  echo "%files"
  echo "%dir /opt/many"; echo "/opt/many/f*"; echo "%dir /opt/many/d"; echo "/opt/many/d/sub*"
  echo "%config(noreplace) /opt/many/d/app.conf"; echo "%lang(de) /opt/many/d/de.txt"; echo "%verify(not md5 size mtime) /opt/many/d/noverify"
  echo "%ghost /opt/many/d/ghost.log"
} > "$top/SPECS/abi-many.spec"
rpmbuild --quiet --define "_topdir $top" --define "_rpmdir $out" --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" -bb "$top/SPECS/abi-many.spec"
