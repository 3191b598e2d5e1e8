#!/usr/bin/env bash
# Builds a package whose header strings are Latin-1, not UTF-8, as packages in real repositories are:
# rpmbuild refuses such a spec, so the package is built with an ASCII stand-in ("cafX") and the stand-in is then
# replaced byte for byte by Latin-1 "caf\xe9" in the header and the (uncompressed) payload, and the digests rpm
# checks on read (payload SHA-256, header SHA-1/SHA-256, header+payload MD5) are recomputed. rpm -qp then reads
# the package without complaint and prints the raw bytes. Needs rpmbuild and python3. Output: *.rpm (committed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
mkdir -p "$top"/{SPECS,BUILD,RPMS,SRPMS,SOURCES,BUILDROOT}
export SOURCE_DATE_EPOCH=1700000000
cat > "$top/SPECS/latin1.spec" <<'SPEC'
Name: abi-cafX
Version: 1.0
Release: 1
Summary: Fixture with Latin-1 header strings: cafX
License: MIT
BuildArch: noarch
AutoReqProv: no
Provides: cafX-feature = 2.0
Provides: libcafX.so.1()(64bit)
Requires: libresumX >= 1.0
Requires: /usr/bin/cafX-tool
Conflicts: old-cafX < 1.0
Obsoletes: cafX-legacy
Recommends: cafX-extras
%description
Fixture package abi-cafX.
%install
mkdir -p %{buildroot}/usr/share/abi-cafX
echo cafX > %{buildroot}/usr/share/abi-cafX/cafX.txt
%files
/usr/share/abi-cafX
SPEC
rpmbuild --quiet --define "_topdir $top" --define "_binary_payload w.ufdio" \
  --define "_buildhost fixture" --define "use_source_date_epoch_as_buildtime 1" \
  --define "source_date_epoch_from_changelog 0" -bb "$top/SPECS/latin1.spec" >/dev/null
rm -f "$here"/*.rpm
python3 - "$top/RPMS/noarch/abi-cafX-1.0-1.noarch.rpm" "$here/abi-latin1-1.0-1.noarch.rpm" <<'PY'
import hashlib, struct, sys
data = bytearray(open(sys.argv[1], 'rb').read())

def header(at):
    assert data[at:at + 4] == b'\x8e\xad\xe8\x01'
    il, dl = struct.unpack('>II', data[at + 8:at + 16])
    entries = {}
    for i in range(il):
        tag, typ, off, cnt = struct.unpack('>iiii', data[at + 16 + 16 * i:at + 32 + 16 * i])
        entries[tag] = (typ, off, cnt)
    return at + 16 + 16 * il, 16 + 16 * il + dl, entries

def put(store, entries, tag, value):
    typ, off, cnt = entries[tag]
    data[store + off:store + off + len(value)] = value

sig_store, sig_len, sig = header(96)
main_at = 96 + sig_len + (-sig_len % 8)
main_store, main_len, main = header(main_at)
payload_at = main_at + main_len
old, new = b'cafX', b'caf\xe9'
data[:] = data.replace(old, new)  # the lead names the package too
payload = bytes(data[payload_at:])
# PAYLOADDIGEST (5092) and PAYLOADDIGESTALT (5097): hex SHA-256 of the payload as stored.
for tag in (5092, 5097):
    if tag in main:
        put(main_store, main, tag, hashlib.sha256(payload).hexdigest().encode())
head = bytes(data[main_at:payload_at])
put(sig_store, sig, 269, hashlib.sha1(head).hexdigest().encode())      # SHA1HEADER
put(sig_store, sig, 273, hashlib.sha256(head).hexdigest().encode())    # SHA256HEADER
put(sig_store, sig, 1004, hashlib.md5(head + payload).digest())        # MD5 of header and payload
open(sys.argv[2], 'wb').write(data)
PY
rpm -K "$here/abi-latin1-1.0-1.noarch.rpm"
