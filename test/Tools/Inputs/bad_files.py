"""bad_files.py DIR: writes the hostile inputs of bad-inputs.test into DIR.

huge.npy claims (2^58)x64 float32 elements (the byte count overflows
int64); header.npy has a header without a shape (once a NULL dereference); runtime.a is a regular file
that is no archive.
"""
import struct
import sys
from pathlib import Path

out = Path(sys.argv[1])
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (288230376151711744, 64), }"
header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
(out / "huge.npy").write_bytes(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) +
                               header.encode() + b"\0" * 64)
(out / "header.npy").write_bytes(b"\x93NUMPY\x01\x00" + struct.pack("<H", 10) + b"{'descr': ")
(out / "runtime.a").write_text("not an archive\n")
