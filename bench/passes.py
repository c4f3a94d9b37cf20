"""Benchmark of pass rendering: 1,000 pass cards against 1,000 bare QR images made the same way, and the PDF.

    .venv/bin/python bench/passes.py                 # 1,000 passes
    .venv/bin/python bench/passes.py --passes 2000 --rounds 5

The passes are those of a realistic site: about 420 booths, a vendor and up to three helpers each,
Persian business and holder names, days picked from a six-day festival. Each pass is a
1240 × 1754 card (A6 at 300 dpi) encoded as PNG; each bare QR is the same code through the same
`qr_image` (error correction Q, quiet zone, about 800 pixels) encoded by the same `png_bytes`.
The two are timed in alternating batches, several rounds, so that a busy machine slows both
alike; the figures are the totals of the fastest round (wall clock, and CPU time beside it). The goal: passes at most twice as long as
bare QR images. Then all the cards go into one PDF (four to an A4 page) and that time is printed
too. No database is needed: the cards are built from plain data, as `card_for` builds them.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bazaarche.settings")

import django

django.setup()

from booths.gate.cards import Card, card_png_bytes, cards_pdf, days_text, png_bytes, qr_image  # noqa: E402
from booths.gate.passes import new_code  # noqa: E402

FIRST = ["زهرا", "مریم", "فاطمه", "سکینه", "لیلا", "نرگس", "رضا", "علی", "حسین", "مهدی", "پروین", "شیرین"]
LAST = ["کرمی", "رحیمی", "بیرانوند", "سپهوند", "دالوند", "پاپی", "کاکاوند", "ملکی", "یوسفوند", "چگینی"]
CRAFT = ["گلیم‌بافی", "شیرینی خانگی", "گیوه‌دوزی", "سفال", "عسل طبیعی", "لبنیات محلی", "سراجی", "نمدمالی"]
SITE = "خرم‌آباد — نمایشگاه بین‌المللی لرستان"


def cards(n: int, seed: int = 1) -> list[Card]:
    rng = random.Random(seed)
    start = datetime.date(2025, 11, 15)
    festival = [start + datetime.timedelta(days=i) for i in range(6)]
    result: list[Card] = []
    booth = 0
    while len(result) < n:
        booth += 1
        vendor = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        business = f"{rng.choice(CRAFT)} {rng.choice(FIRST)}"
        hall = rng.choice(["سالن ۱", "سالن ۲", "محوطه باز"])
        booth_text = f"غرفه {'ABC'[booth % 3]}-{booth} · {hall}"
        days = festival if rng.random() < 0.6 else sorted(rng.sample(festival, rng.randint(1, 5)))
        day_text = days_text(days)
        holders = [(vendor, "غرفه‌دار")] + [
            (f"{rng.choice(FIRST)} {vendor.split()[-1]}", "همکار") for _ in range(rng.choice([0, 1, 1, 2, 3]))
        ]
        for name, role in holders:
            result.append(Card(new_code(), SITE, business, name, role, booth_text, day_text))
    return result[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()

    deck = cards(args.passes)
    card_png_bytes(deck[0])  # fonts loaded, the site's header drawn: as in any long run
    png_bytes(qr_image(deck[0].code))

    rounds = []
    sizes = {"card": 0, "qr": 0}
    for _round in range(args.rounds):
        spent = {"card": 0.0, "qr": 0.0, "card_cpu": 0.0, "qr_cpu": 0.0}
        for start in range(0, len(deck), args.batch):
            batch = deck[start : start + args.batch]
            began, began_cpu = time.perf_counter(), time.process_time()
            for card in batch:
                sizes["qr"] = len(png_bytes(qr_image(card.code)))
            spent["qr"] += time.perf_counter() - began
            spent["qr_cpu"] += time.process_time() - began_cpu
            began, began_cpu = time.perf_counter(), time.process_time()
            for card in batch:
                sizes["card"] = len(card_png_bytes(card))
            spent["card"] += time.perf_counter() - began
            spent["card_cpu"] += time.process_time() - began_cpu
        rounds.append(spent)
    best = min(rounds, key=lambda spent: spent["card"] + spent["qr"])
    ratio = best["card"] / best["qr"]

    began, began_cpu = time.perf_counter(), time.process_time()
    pdf = io.BytesIO()
    pages = cards_pdf(deck, pdf)
    pdf_time, pdf_cpu = time.perf_counter() - began, time.process_time() - began_cpu

    n = len(deck)
    print(
        f"{n} pass cards (PNG, 1240×1754):   {best['card']:6.2f} s  ({best['card'] / n * 1000:.1f} ms each)"
    )
    print(f"{n} bare QR images (PNG):          {best['qr']:6.2f} s  ({best['qr'] / n * 1000:.1f} ms each)")
    print(
        f"ratio passes / bare QR:            {ratio:6.2f}  (goal ≤ 2.00) {'OK' if ratio <= 2 else 'MISSED'}"
    )
    cpu_ratio = best["card_cpu"] / best["qr_cpu"]
    print(f"  in CPU time: cards {best['card_cpu']:.2f} s, QR {best['qr_cpu']:.2f} s, ratio {cpu_ratio:.2f}")
    print(
        f"one PDF of {n} passes ({pages} A4 pages, rendering included): {pdf_time:6.2f} s "
        f"(CPU {pdf_cpu:.2f} s), {len(pdf.getvalue()) / 1e6:.1f} MB"
    )
    print(f"last PNG sizes: card {sizes['card'] / 1000:.0f} kB, QR {sizes['qr'] / 1000:.0f} kB")
    for i, spent in enumerate(rounds, 1):
        print(
            f"  round {i}: cards {spent['card']:.2f} s, QR {spent['qr']:.2f} s, "
            f"ratio {spent['card'] / spent['qr']:.2f} (CPU {spent['card_cpu'] / spent['qr_cpu']:.2f})"
        )


if __name__ == "__main__":
    main()
