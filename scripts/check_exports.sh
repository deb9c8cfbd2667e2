#!/usr/bin/env bash
# Opens the statistics exports (xlsx, docx) in LibreOffice: the integration
# test writes them, LibreOffice converts each to PDF, the Word report to text
# and HTML and the workbook to CSV, and the text must carry the report's
# title, the national motto and the figures. With Chromium at hand, the Word
# report (as LibreOffice read it) is also saved as a PNG to look at. The
# native PDF report (and a 200-row one from the app's unit test) is read
# back by poppler and its pages saved as PNGs.
#
#   scripts/check_exports.sh [OUT_DIR]
#
# Needs `soffice` (Debian: libreoffice-writer-nogui libreoffice-calc-nogui)
# and `pdftotext`/`pdftoppm` (Debian: poppler-utils).
set -euo pipefail

out="${1:-$(mktemp -d)}"
mkdir -p "$out/docx" "$out/xlsx"
cd "$(dirname "$0")/.."
KIEUBAO_EXPORT_DIR="$out" cargo nextest run -p web --test it \
  'stats::pivots::dashboard_reports_and_exports_show_the_jurisdictions_figures::sqlite' >&2
KIEUBAO_EXPORT_DIR="$out" cargo nextest run -p app --lib \
  'stats::pdf::tests::a_long_table_runs_over_pages_with_its_heading_repeated' >&2
cd "$out"
mkdir -p pdf
pdftotext -layout report-Sqlite.pdf pdf/report-Sqlite.txt
for want in "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" "Độc lập - Tự do - Hạnh phúc" "SỞ NGOẠI VỤ" \
  "Báo cáo thử" "Bảng 1." "Hàn Quốc" "Tổng cộng" "GIÁM ĐỐC" "Trang 1/1"; do
  grep -q "$want" pdf/report-Sqlite.txt || { echo "FAIL: pdf text lacks $want" >&2; exit 1; }
done
grep -qE "Hàn Quốc +7 +0 +7$" pdf/report-Sqlite.txt || { echo "FAIL: pdf row for Hàn Quốc" >&2; exit 1; }
pdftoppm -png -r 60 report-Sqlite.pdf pdf/report
pdftoppm -png -r 60 official-long.pdf pdf/long
echo "ok: native PDF read back by poppler; look at: $out/pdf/*.png"
so() { soffice --headless "$@" >/dev/null 2>&1; }
so --convert-to pdf --outdir docx report-Sqlite.docx
so --convert-to pdf --outdir xlsx report-Sqlite.xlsx
for pdf in docx/report-Sqlite.pdf xlsx/report-Sqlite.pdf; do
  head -c 5 "$pdf" | grep -q '%PDF-' || { echo "FAIL: no PDF $pdf" >&2; exit 1; }
  echo "ok: $pdf ($(stat -c %s "$pdf") bytes)"
done
so --convert-to txt:Text --outdir docx report-Sqlite.docx
so --convert-to html --outdir docx report-Sqlite.docx
so --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76' --outdir xlsx report-Sqlite.xlsx
for want in "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" "Độc lập - Tự do - Hạnh phúc" "SỞ NGOẠI VỤ" \
  "Báo cáo thử" "Bảng 1." "Hàn Quốc" "Tổng cộng" "GIÁM ĐỐC"; do
  grep -q "$want" docx/report-Sqlite.txt || { echo "FAIL: docx text lacks $want" >&2; exit 1; }
done
grep -q "^Hàn Quốc,7,0,7$" xlsx/report-Sqlite.csv || { echo "FAIL: xlsx row for Hàn Quốc" >&2; exit 1; }
grep -q "^Tổng cộng,7,3,10$" xlsx/report-Sqlite.csv || { echo "FAIL: xlsx total row" >&2; exit 1; }
echo "ok: text and figures read back by LibreOffice"
if command -v chromium >/dev/null; then
  chromium --headless=new --no-sandbox --disable-gpu --window-size=1000,900 \
    --screenshot="$out/docx/report.png" "file://$out/docx/report-Sqlite.html" >/dev/null 2>&1 \
    && echo "look at: $out/docx/report.png"
fi
