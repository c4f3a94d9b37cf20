"""Fingerprints of `manage.py allocate --instance` on the bench's instances, to show a change to the
engine changed nothing it places.

    .venv/bin/python bench/allocation_bytes.py > before.txt
    (change the engine)
    .venv/bin/python bench/allocation_bytes.py > after.txt && diff before.txt after.txt

For seeds 1-8 of each size in bench/allocation.py (small, medium, large) and of the long sites (medium
and large open for 30 days), it prints the SHA-256 of the command's standard output (the result alone,
no timings) and the engine's seconds. The digests must match line for line; the seconds are there to
see that the speed did not move (compare the sums, with the machine otherwise idle).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bazaarche.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from bench.allocation import SIZES, generate  # noqa: E402
from booths.allocation.instance import instance_data  # noqa: E402

LONG = {"medium-30": (3000, 800, 30), "large-30": (20000, 4000, 30)}


def fingerprint(apps: int, booths: int, days: int, seed: int) -> tuple[str, float]:
    import json

    instance = generate(apps, booths, days, seed=seed)
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as file:
        file.write(json.dumps(instance_data(instance), ensure_ascii=False))
        file.flush()
        out, err = io.StringIO(), io.StringIO()
        started = time.perf_counter()
        call_command("allocate", instance=file.name, stdout=out, stderr=err)
        seconds = time.perf_counter() - started
    return hashlib.sha256(out.getvalue().encode()).hexdigest(), seconds


def main() -> None:
    if not (ROOT / "locale/fa/LC_MESSAGES/django.mo").exists():
        # The result's reasons are written in Persian too: without the catalogue they come out in
        # English and the digests differ from a checkout that has it.
        sys.exit("Compile the catalogue first (make messages): the digests depend on it.")
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs="+", default=[*SIZES, *LONG], choices=[*SIZES, *LONG])
    parser.add_argument("--seeds", type=int, default=8)
    args = parser.parse_args()
    shapes = {**SIZES, **LONG}
    total = 0.0
    for name in args.sizes:
        for seed in range(1, args.seeds + 1):
            digest, seconds = fingerprint(*shapes[name], seed)
            total += seconds
            print(f"{name:>10} seed {seed}  {digest}  {seconds:6.2f} s", flush=True)
    print(f"total {total:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
