#!/usr/bin/env python3
"""Writes model.bin, the z-score model the anomaly detector reads (format in detector.c)."""
import struct, sys

FEATURES = [  # sensor, mean, stddev, zmax
    ("vib0", 0.25, 0.05, 4.0),
    ("temp0", 21.5, 1.5, 3.0),
]
out = bytearray(b"ATYMMDL1") + struct.pack("<I", len(FEATURES))
for name, mean, std, zmax in FEATURES:
    out += name.encode().ljust(16, b"\0") + struct.pack("<fff", mean, std, zmax)
with open(sys.argv[1] if len(sys.argv) > 1 else "model.bin", "wb") as f:
    f.write(out)
