#!/usr/bin/env bash
# Regenerates the screenshots of the user guide (docs/HUONG_DAN.md) from the
# browser test that opens every page as each role at 1366×900 and 390×844
# (words::no_page_shows_a_code_a_key_or_an_iso_date, SQLite), then copies the
# ones the guide shows into docs/guide/.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kieubao-target}"
shots="$(mktemp -d)"
trap 'rm -rf "$shots"' EXIT
KIEUBAO_SCREENSHOT_DIR="$shots" cargo nextest run --workspace --all-targets \
  -E 'test(=words::no_page_shows_a_code_a_key_or_an_iso_date::sqlite)' >/dev/null
mkdir -p docs/guide
pick() { # pick GLOB NAME: the first screenshot matching GLOB becomes docs/guide/NAME
  local f
  f="$(ls "$shots"/$1 2>/dev/null | sort | head -1)"
  [ -n "$f" ] || { echo "no screenshot matches $1" >&2; exit 1; }
  cp "$f" "docs/guide/$2"
}
pick 'words-sonv-_work-1366-Sqlite.png' 01-trang-chu.png
pick 'words-canbo.xa-_work-390-Sqlite.png' 02-trang-chu-dien-thoai.png
pick 'words-sonv-_people-1366-Sqlite.png' 03-danh-sach.png
pick 'words-sonv-_people_1-1366-Sqlite.png' 04-ho-so.png
pick 'words-sonv-_people_new-1366-Sqlite.png' 05-them-ho-so.png
pick 'words-sonv-_imports_*-1366-Sqlite.png' 06-nhap-danh-sach.png
pick 'words-sonv-_review_pairs_2-1366-Sqlite.png' 07-trung-lap.png
pick 'words-sonv-_reconcile-1366-Sqlite.png' 08-doi-chieu.png
pick 'words-lanhdao-_dashboard-1366-Sqlite.png' 09-thong-ke.png
pick 'words-sonv-_reports-1366-Sqlite.png' 10-bao-cao.png
pick 'words-sonv-_associations-1366-Sqlite.png' 11-hoi-doan.png
pick 'words-sonv-_profile-1366-Sqlite.png' 12-tai-khoan.png
pick 'words-sonv-_people-390-Sqlite.png' 13-danh-sach-dien-thoai.png
echo "docs/guide: $(ls docs/guide | wc -l) screenshots"
