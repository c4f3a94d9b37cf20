"""Benchmark of `manage.py import_registry` on a generated registry export, against a fresh SQLite database.

    .venv/bin/python bench/import_registry.py                 # 100,000 rows
    .venv/bin/python bench/import_registry.py --rows 10000 100000

For each size: writes the CSV (realistic Persian names, all 12 counties and their old names, the
sample categories, support companies, Persian and Arabic digits here and there, about 3% bad
rows), migrates a new SQLite file, imports, then imports again (every row unchanged), and prints
rows/s, seconds and the peak memory (max RSS) of the import process. The goal is 100,000 rows in
at most 60 s with memory that stays roughly flat as the file grows.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent

HEADERS = [
    "کد رهگیری",
    "شناسه یکتا مجوز",
    "کد ملی",
    "نام",
    "نام خانوادگی",
    "جنسیت",
    "تلفن همراه",
    "تاریخ تولد",
    "نام کسب‌وکار",
    "کد رسته",
    "عنوان رسته",
    "نوع فعالیت",
    "شرکت پشتیبان",
    "شناسه ملی شرکت پشتیبان",
    "تاریخ صدور",
    "تاریخ انقضا",
    "شهرستان",
    "شهر",
    "نشانی",
    "کد پستی",
    "سرپرست خانوار زن",
    "دارای معلولیت",
]
WOMEN = ["مریم", "فاطمه", "زهرا", "معصومه", "سکینه", "لیلا", "سمیه", "نرگس", "کبری", "پروین", "طاهره", "رقیه"]
MEN = ["بهمن", "مهدی", "فرهاد", "کریم", "جواد", "کاظم", "علی", "رضا", "حسین", "مراد"]
LAST = ["رحیمی", "دالوند", "قاسمی", "بیرانوند", "میرزایی", "ملکی", "کرمی", "سپهوند", "امیری", "حسنوند"]
LAST += ["پاپی", "غضنفری", "کاکاوند", "ویسی", "سگوند", "چراغی", "یاراحمدی", "طولابی", "ترکاشوند", "مومنی"]
COUNTIES = ["خرم‌آباد", "بروجرد", "دورود", "الیگودرز", "ازنا", "کوهدشت", "پلدختر", "دلفان", "سلسله", "چگنی"]
COUNTIES += ["رومشکان", "معمولان", "دوره", "پل‌دختر"]
COMPANIES = [(f"شرکت پشتیبان {name}", f"{10100000000 + i * 7919}") for i, name in enumerate(LAST)]
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def national_id(rng: random.Random) -> str:
    while True:
        digits = f"{rng.randrange(10**9):09d}"
        if len(set(digits)) > 1:
            break
    r = sum(int(d) * (10 - i) for i, d in enumerate(digits)) % 11
    return digits + str(r if r < 2 else 11 - r)


def categories() -> list[tuple[str, str]]:
    with open(BASE / "data" / "categories_sample.csv", encoding="utf-8-sig") as handle:
        return [(row["code"], row["title_fa"]) for row in csv.DictReader(handle)]


def generate(path: Path, rows: int, seed: int = 1404) -> int:
    """Write the export; returns the number of rows made bad on purpose."""
    rng = random.Random(seed)
    cats = categories()
    people: list[tuple[str, str, str, str, str]] = []
    bad = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for n in range(rows):
            code = str(1404000000 + n * 37)
            if people and rng.random() < 0.05:
                first, last, gender, nid, mobile = rng.choice(people)  # a second permit of the same person
            else:
                woman = rng.random() < 0.8
                first = rng.choice(WOMEN if woman else MEN)
                last = rng.choice(LAST)
                gender = "زن" if woman else "مرد"
                nid = national_id(rng)
                mobile = f"09{rng.choice('0123'):s}{n:08d}"
                people.append((first, last, gender, nid, mobile))
                if len(people) > 5000:
                    people.pop(0)
            cat_code, cat_title = rng.choice(cats)
            kind = rng.random()
            permit_type, company, company_id = "مستقل", "", ""
            if kind < 0.10:
                permit_type = "کارمزدی"
                company, company_id = rng.choice(COMPANIES)
            elif kind < 0.15:
                permit_type = "پشتیبان"
            year = rng.randint(1398, 1404)
            issued = f"{year}/{rng.randint(1, 12):02d}/{rng.randint(1, 29):02d}"
            expires = f"{year + rng.randint(1, 5)}/{rng.randint(1, 12):02d}/{rng.randint(1, 29):02d}"
            birth = f"{rng.randint(1330, 1385)}/{rng.randint(1, 12):02d}/{rng.randint(1, 29):02d}"
            county = rng.choice(COUNTIES)
            row = [
                code,
                str(300000000000 + n),
                nid,
                first,
                last,
                gender,
                mobile,
                birth,
                rng.choice(["", f"کارگاه {first}", f"محصولات خانگی {first}"]),
                cat_code,
                cat_title,
                permit_type,
                company,
                company_id,
                issued,
                expires,
                county,
                county,
                f"کوچه {rng.randint(1, 40)}، پلاک {rng.randint(1, 90)}",
                f"{rng.randint(1, 9)}{rng.randrange(10**9):09d}",
                rng.choice(["بله", "خیر", "خیر", "خیر"]),
                rng.choice(["خیر"] * 19 + ["بله"]),
            ]
            variation = rng.random()
            if variation < 0.03:
                bad += 1
                which = n % 5
                if which == 0:
                    row[6] = "0912345"  # bad mobile
                elif which == 1:
                    row[14] = "1404/12/30"  # 1404 is not a leap year
                elif which == 2:
                    row[4] = ""  # no last name
                elif which == 3:
                    row[2] = row[2][:9] + str((int(row[2][9]) + 1) % 10)  # wrong check digit
                else:
                    row[0] = str(1404000000 + max(n - 1, 0) * 37)  # the previous row's tracking code
            elif variation < 0.06:
                row[2] = row[2].translate(ARABIC_DIGITS)
                row[3] = row[3].replace("ی", "ي").replace("ک", "ك")
            elif variation < 0.09:
                row[6] = row[6].translate(PERSIAN_DIGITS)
                row[14] = row[14].translate(PERSIAN_DIGITS)
            writer.writerow(row)
    return bad


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """(seconds, peak RSS in MB, exit code, last line of output) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    lines = output.strip().splitlines()
    return seconds, usage.ru_maxrss / 1024, process.returncode, lines[-1] if lines else ""


def bench(rows: int, keep: bool) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bazaarche-bench-"))
    export = workdir / "registry.csv"
    t0 = time.perf_counter()
    bad = generate(export, rows)
    print(
        f"\n{rows:,} rows ({bad:,} bad on purpose), {export.stat().st_size / 2**20:.1f} MB, "
        f"generated in {time.perf_counter() - t0:.1f} s"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-not-secret",
        "DJANGO_ALLOWED_HOSTS": "localhost",
    }
    manage = [sys.executable, str(BASE / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    seconds, rss, code, _ = run_measured([*manage, "check"], env)
    print(f"  baseline (manage.py check)   {'':>22} peak RSS {rss:6.1f} MB")
    for label in ("import (all new)", "import again (unchanged)", "dry run"):
        extra = ["--dry-run"] if label == "dry run" else []
        seconds, rss, code, last = run_measured(
            [*manage, "import_registry", str(export), "--report", str(workdir / "report.csv"), *extra], env
        )
        print(
            f"  {label:<28} {seconds:6.1f} s {rows / seconds:8,.0f} rows/s  peak RSS {rss:6.1f} MB  exit {code}"
        )
        print(f"    {last.split(' / ')[-1]}")
    if keep:
        print(f"  kept in {workdir}")
    else:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000])
    parser.add_argument("--keep", action="store_true", help="keep the generated files and database")
    args = parser.parse_args()
    for rows in args.rows:
        bench(rows, args.keep)


if __name__ == "__main__":
    main()
