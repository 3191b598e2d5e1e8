#!/usr/bin/env bash
# Makes trailerless-abi-files-gzip-1.0-1.x86_64.rpm: abi-files-gzip with the archive size in its signature header
# (PAYLOADSIZE, tag 1007) lowered by the 124-byte cpio trailer, as older rpm builds declared it. Only the signature
# header changes, which no digest covers, so rpm2cpio | cpio still extracts it. Needs python3. Rerun after build.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python3 - "$here/abi-files-gzip-1.0-1.x86_64.rpm" "$here/trailerless-abi-files-gzip-1.0-1.x86_64.rpm" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
sig = 96                                    # the signature header follows the 96-byte lead
assert data[sig:sig + 4] == b"\x8e\xad\xe8\x01"
il, dl = struct.unpack(">ii", data[sig + 8:sig + 16])
store = sig + 16 + 16 * il
edited = 0
for i in range(il):
    tag, typ, off, count = struct.unpack(">iiii", data[sig + 16 + 16 * i:sig + 32 + 16 * i])
    if tag == 1007 and typ == 4:            # RPMSIGTAG_PAYLOADSIZE, INT32
        (size,) = struct.unpack(">I", data[store + off:store + off + 4])
        data[store + off:store + off + 4] = struct.pack(">I", size - 124)
        edited += 1
assert edited == 1, "no PAYLOADSIZE in the signature header"
open(sys.argv[2], "wb").write(data)
PY
