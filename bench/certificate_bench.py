"""How long a certificate takes to draw: the picture (PNG) and the printable page (PDF).

Run: .venv/bin/python bench/certificate_bench.py --runs 30
"""

import argparse
import statistics
import time

from bot.certificate_picture import Sheet, draw, pdf, png

SHEET = Sheet("GIẤY CHỨNG NHẬN HOÀN THÀNH", "Chứng nhận", "Bác Nguyễn Thị Lan",
              "đã hoàn thành khóa học", "Dịch vụ công trực tuyến", "Ngày cấp: 06/12/2026",
              "Đơn vị cấp: Ủy ban nhân dân phường Ba Đình", "Mã xác minh: ABCD2345",
              "https://hocso.example.vn/xac-minh/ABCD2345")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    png(SHEET)  # fonts loaded once, as in a running server
    print("| output | median ms | p90 ms | bytes |")
    print("|---|---:|---:|---:|")
    for name, make in (("drawing only", draw), ("PNG", png), ("PDF", pdf)):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            made = make(SHEET)
            times.append((time.perf_counter() - start) * 1000)
        size = len(made) if isinstance(made, bytes) else 0
        print(f"| {name} | {statistics.median(times):.0f} | "
              f"{statistics.quantiles(times, n=10)[-1]:.0f} | {size or '—'} |")


if __name__ == "__main__":
    main()
