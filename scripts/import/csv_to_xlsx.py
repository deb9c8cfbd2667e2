"""Converts a demo people CSV into an xlsx list (openpyxl, write-only mode).

    python3 csv_to_xlsx.py people.csv people.xlsx [ROWS]

Only the columns an agency's list carries are kept, with Vietnamese headers.
"""
import csv
import sys

from openpyxl import Workbook

KEEP = [
    ("full_name", "Họ và tên"),
    ("gender", "Giới tính"),
    ("birth_date", "Ngày sinh"),
    ("category", "Diện"),
    ("generation", "Thế hệ"),
    ("country", "Quốc gia"),
    ("city_abroad", "Thành phố"),
    ("hometown", "Quê quán"),
    ("new_commune_code", "Mã xã"),
    ("departure_year", "Năm xuất cảnh"),
    ("passport_no", "Số hộ chiếu"),
    ("phone", "Điện thoại"),
    ("email", "Thư điện tử"),
    ("occupation", "Nghề nghiệp"),
]


def main() -> None:
    src, dst = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Danh sách")
    ws.append([h for _, h in KEEP])
    with open(src, newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            if limit is not None and i >= limit:
                break
            ws.append([row.get(k, "") for k, _ in KEEP])
    wb.save(dst)


if __name__ == "__main__":
    main()
