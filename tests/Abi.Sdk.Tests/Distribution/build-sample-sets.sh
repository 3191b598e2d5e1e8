#!/usr/bin/env bash
# Builds a small reference set, its rebuild and two application packages with gcc and rpmbuild into $1, for
# DistributionComparerTests. The rebuild drifts in every way the loader cares about: a version node gone (VER_2),
# a symbol gone from a node that stays (drift_gone@VER_1), an unversioned symbol gone (plain_gone), an exported
# object grown (drift_obj, copy-relocated by tool_copy), a package gone (libonly) and one renamed (branding).
set -euo pipefail
out=$(realpath -m "$1")
rm -rf "$out"
mkdir -p "$out/src" "$out/build/ref" "$out/build/rb" "$out/build/app" "$out/top"
cd "$out/src"

cat > drift_ref.c <<'C'
int drift_obj[4] = {1, 2, 3, 4};
int drift_a(void) { return 1; }
int drift_gone(void) { return 2; }
int drift_new(void) { return 3; }
C
cat > drift_ref.map <<'C'
VER_1 { global: drift_a; drift_gone; drift_obj; local: *; };
VER_2 { global: drift_new; } VER_1;
C
cat > drift_rb.c <<'C'
int drift_obj[8] = {1, 2, 3, 4, 5, 6, 7, 8};
int drift_a(void) { return 1; }
C
cat > drift_rb.map <<'C'
VER_1 { global: drift_a; drift_obj; local: *; };
C
cat > plain_ref.c <<'C'
int plain_a(void) { return 1; }
int plain_gone(void) { return 2; }
C
cat > plain_rb.c <<'C'
int plain_a(void) { return 1; }
C
cat > only.c <<'C'
int only_f(void) { return 1; }
C
cat > bundle.c <<'C'
int bundle_f(void) { return 1; }
C
cat > tool_ok.c <<'C'
int drift_a(void); int plain_a(void);
int main(void) { return drift_a() + plain_a() - 2; }
C
cat > tool_version.c <<'C'
int drift_new(void);
int main(void) { return drift_new() - 3; }
C
cat > tool_gone.c <<'C'
int drift_gone(void);
int main(void) { return drift_gone() - 2; }
C
cat > tool_plain.c <<'C'
int plain_gone(void);
int main(void) { return plain_gone() - 2; }
C
cat > tool_only.c <<'C'
int only_f(void);
int main(void) { return only_f() - 1; }
C
cat > tool_copy.c <<'C'
extern int drift_obj[4];
int main(void) { return drift_obj[0] - 1; }
C
cat > tool_static.c <<'C'
int main(void) { return 0; }
C
cat > app.c <<'C'
int drift_a(void); int bundle_f(void);
int main(void) { return drift_a() + bundle_f() - 2; }
C
cat > app2.c <<'C'
int drift_new(void);
int main(void) { return drift_new() - 3; }
C

so() { # name soname out src [map]
  local map=()
  [ -n "${5:-}" ] && map=(-Wl,--version-script="$5")
  gcc -shared -fPIC -O1 -o "$3" "$4" -Wl,-soname,"$2" "${map[@]}"
}
so libdrift.so.1 libdrift.so.1 "$out/build/ref/libdrift.so.1" drift_ref.c drift_ref.map
so libdrift.so.1 libdrift.so.1 "$out/build/rb/libdrift.so.1" drift_rb.c drift_rb.map
so libplain.so.1 libplain.so.1 "$out/build/ref/libplain.so.1" plain_ref.c
so libplain.so.1 libplain.so.1 "$out/build/rb/libplain.so.1" plain_rb.c
so libonly.so.1 libonly.so.1 "$out/build/ref/libonly.so.1" only.c
so libbundle.so libbundle.so "$out/build/app/libbundle.so" bundle.c
L="$out/build/ref"
for t in tool_ok tool_version tool_gone tool_plain tool_only; do
  gcc -O1 -o "$L/$t" "$t.c" -L"$L" -l:libdrift.so.1 -l:libplain.so.1 -l:libonly.so.1 -Wl,--as-needed
done
gcc -O1 -fno-pic -no-pie -o "$L/tool_copy" tool_copy.c -L"$L" -l:libdrift.so.1
gcc -O1 -static -o "$L/tool_static" tool_static.c
gcc -O1 -o "$out/build/app/app" app.c -L"$L" -L"$out/build/app" -l:libdrift.so.1 -lbundle -Wl,-rpath,'$ORIGIN/../lib'
gcc -O1 -o "$out/build/app/app2" app2.c -L"$L" -l:libdrift.so.1

spec() { # name version release arch files-block install-block [extra-header]
  cat > "$out/src/$1-$3.spec" <<S
Name: $1
Version: $2
Release: $3
Summary: sample package $1
License: MIT
BuildArch: $4
${7:-}
%description
Sample package $1 for the distribution comparison tests.
%install
mkdir -p %{buildroot}
$6
%files
$5
S
  rpmbuild -bb --quiet --define "_topdir $out/top" --define "__strip /bin/true" --define "debug_package %{nil}" \
    --define "_build_id_links none" "$out/src/$1-$3.spec" > /dev/null
}
lib() { # name build-dir release
  spec "$1" 1.0 "$3" x86_64 "/usr/lib64/$1.so.1" "mkdir -p %{buildroot}/usr/lib64 && cp $2/$1.so.1 %{buildroot}/usr/lib64/"
}
lib libdrift "$out/build/ref" 1
lib libplain "$out/build/ref" 1
lib libonly "$out/build/ref" 1
spec tools 1.0 1 x86_64 "/usr/bin/*" "mkdir -p %{buildroot}/usr/bin && cp $L/tool_* %{buildroot}/usr/bin/"
spec branding 1.0 1 noarch "" ""
mkdir -p "$out/reference"
mv "$out"/top/RPMS/*/*.rpm "$out/reference/"

lib libdrift "$out/build/rb" 2
lib libplain "$out/build/rb" 2
spec tools 1.0 2 x86_64 "/usr/bin/*" "mkdir -p %{buildroot}/usr/bin && cp $L/tool_* %{buildroot}/usr/bin/"
spec rb-branding 1.0 1 noarch "" "" "Provides: branding = 1.0"
mkdir -p "$out/rebuild"
mv "$out"/top/RPMS/*/*.rpm "$out/rebuild/"

spec app 1.0 1 x86_64 "/opt/app" "mkdir -p %{buildroot}/opt/app/bin %{buildroot}/opt/app/lib && cp $out/build/app/app %{buildroot}/opt/app/bin/ && cp $out/build/app/libbundle.so %{buildroot}/opt/app/lib/" $'AutoReqProv: no\nRequires: libdrift.so.1()(64bit)'
# app2's requirements are rpm's own (elfdeps) but for libc: createrepo_c keeps only the highest libc.so.6(GLIBC_x)
# in its metadata, so libsolv's view of a repository would differ from the header there.
spec app2 1.0 1 x86_64 "/opt/app2" "mkdir -p %{buildroot}/opt/app2/bin && cp $out/build/app/app2 %{buildroot}/opt/app2/bin/" \
  '%global __requires_exclude ^libc\\.so'
mkdir -p "$out/apps"
mv "$out"/top/RPMS/*/*.rpm "$out/apps/"

# A C library as an RPM distribution installs it (under /usr/lib64), made of this machine's, for the layout tests:
# with it, a set that lacks the filesystem package still needs /lib64 -> usr/lib64 to find its program interpreter.
libc=$(gcc -print-file-name=libc.so.6)
ldso=$(readlink -f "$(gcc -print-file-name=ld-linux-x86-64.so.2)")
spec glibc 2.0 1 x86_64 $'/usr/lib64/libc.so.6\n/usr/lib64/ld-linux-x86-64.so.2' \
  "mkdir -p %{buildroot}/usr/lib64 && cp $(readlink -f "$libc") %{buildroot}/usr/lib64/libc.so.6 && cp $ldso %{buildroot}/usr/lib64/ld-linux-x86-64.so.2" \
  $'AutoReqProv: no\nProvides: libc.so.6()(64bit)\nProvides: rtld(GNU_HASH)'
mkdir -p "$out/glibc"
mv "$out"/top/RPMS/*/*.rpm "$out/glibc/"
rm -rf "$out/top"
