#!/usr/bin/env bash
# Builds the package pairs PackageComparerTests compares: drift-1.0-1 (reference) and drift-1.0-2 (rebuild), with
# drift of every kind a package diff reports, from C sources and version scripts, with gcc and rpmbuild.
# Usage: build-pkgdiff-pairs.sh OUTDIR   (writes OUTDIR/old/*.rpm and OUTDIR/new/*.rpm; nothing is committed)
set -euo pipefail
out=$(realpath -m "$1")
rm -rf "$out"
mkdir -p "$out/src" "$out/old" "$out/new"
cd "$out/src"

# side: old|new
build_side() {
  local side=$1 release dir="$out/src/$1"
  mkdir -p "$dir"
  if [ "$side" = old ]; then
    release=1
    cat > "$dir/drift.c" <<'EOF'
int drift_obj[4] = {1, 2, 3, 4};
int drift_keep(void) { return 1; }
int drift_gone(void) { return 2; }
int drift_moved(void) { return 3; }
EOF
    cat > "$dir/drift.map" <<'EOF'
DRIFT_1.0 { global: drift_keep; drift_gone; drift_moved; drift_obj; local: *; };
EOF
    echo 'int bump_f(void) { return 1; }' > "$dir/bump.c"
    echo 'int gone_f(void) { return 1; }' > "$dir/gone.c"
    printf 'int priv_a(void) { return 1; }\nint priv_b(void) { return 2; }\n' > "$dir/priv.c"
  else
    release=2
    cat > "$dir/drift.c" <<'EOF'
int drift_obj[8] = {1, 2, 3, 4, 5, 6, 7, 8};
int drift_keep(void) { return 1; }
int drift_moved(void) { return 3; }
int drift_new(void) { return 4; }
EOF
    cat > "$dir/drift.map" <<'EOF'
DRIFT_1.0 { global: drift_keep; drift_obj; local: *; };
DRIFT_2.0 { global: drift_moved; drift_new; } DRIFT_1.0;
EOF
    printf 'int bump_f(void) { return 1; }\nint bump_g(void) { return 2; }\n' > "$dir/bump.c"
    echo 'int priv_a(void) { return 1; }' > "$dir/priv.c"
  fi
  echo 'int main(void) { return 0; }' > "$dir/tool.c"

  ( cd "$dir"
    gcc -shared -fPIC -O1 -Wl,-soname,libdrift.so.1 -Wl,--version-script,drift.map -o libdrift.so.1.0 drift.c
    if [ "$side" = old ]; then
      gcc -shared -fPIC -O1 -Wl,-soname,libbump.so.1 -o libbump.so.1 bump.c
      gcc -shared -fPIC -O1 -Wl,-soname,libgone.so.1 -o libgone.so.1 gone.c
    else
      gcc -shared -fPIC -O1 -Wl,-soname,libbump.so.2 -o libbump.so.2 bump.c
    fi
    gcc -shared -fPIC -O1 -Wl,-soname,libpriv.so -o libpriv.so priv.c
    gcc -O1 -o drifttool tool.c )

  local spec="$dir/drift.spec"
  {
    cat <<EOF
Name: drift
Version: 1.0
Release: $release
Summary: package diff fixture
License: MIT
BuildArch: x86_64
EOF
    if [ "$side" = old ]; then
      cat <<'EOF'
Provides: drift-api = 1.0-1
Provides: drift-old-cap
Provides: drift-ver = 2.0
Recommends: drift-docs
EOF
    else
      cat <<'EOF'
Provides: drift-api = 1.0-2
Provides: drift-ver = 1.5
Requires: drift-missing-thing >= 3
Conflicts: olddrift < 1.0
Suggests: drift-docs
EOF
    fi
    cat <<EOF
%description
Package diff fixture ($side).
%install
mkdir -p %{buildroot}/usr/lib64/drift %{buildroot}/usr/bin %{buildroot}/usr/share/drift %{buildroot}/var/lib/drift
cp $dir/libdrift.so.1.0 %{buildroot}/usr/lib64/libdrift.so.1.0
ln -s libdrift.so.1.0 %{buildroot}/usr/lib64/libdrift.so.1
cp $dir/libpriv.so %{buildroot}/usr/lib64/drift/libpriv.so
cp $dir/drifttool %{buildroot}/usr/bin/drifttool
EOF
    if [ "$side" = old ]; then
      cat <<EOF
cp $dir/libbump.so.1 $dir/libgone.so.1 %{buildroot}/usr/lib64/
echo data > %{buildroot}/usr/share/drift/data.txt
echo thing > %{buildroot}/usr/share/drift/thing
%files
/usr/lib64/libbump.so.1
/usr/lib64/libgone.so.1
/usr/share/drift/data.txt
EOF
    else
      cat <<EOF
cp $dir/libbump.so.2 %{buildroot}/usr/lib64/
mkdir -p %{buildroot}/usr/share/drift/thing
echo new > %{buildroot}/usr/share/drift/new.txt
%files
/usr/lib64/libbump.so.2
/usr/share/drift/new.txt
EOF
    fi
    cat <<'EOF'
/usr/lib64/libdrift.so.1.0
/usr/lib64/libdrift.so.1
%dir /usr/lib64/drift
/usr/lib64/drift/libpriv.so
/usr/bin/drifttool
%dir /usr/share/drift
/usr/share/drift/thing
%ghost /var/lib/drift/state
EOF
  } > "$spec"
  rpmbuild -bb --quiet --define "_topdir $dir/top" --define "__strip /bin/true" --define "debug_package %{nil}" \
    --define "_build_id_links none" "$spec" > "$dir/rpmbuild.log" 2>&1 || { cat "$dir/rpmbuild.log" >&2; exit 1; }
  find "$dir/top/RPMS" -name '*.rpm' -exec cp {} "$out/$side/" \;
}

build_side old
build_side new
