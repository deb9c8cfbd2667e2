#!/usr/bin/env python3
"""Labelled synthetic lists of people abroad from one province, for measuring record linkage.

Stand-in for the demo generator (crate `demo`) until it lands; same header:
record_id,source,full_name,gender,birth_date,country,city_abroad,hometown,passport_no,
phone,email,father_name,category,true_person_id

About 30% of people appear in 2-4 agencies' lists. Each copy of a person may be written
without diacritics, family name last, middle name dropped, with a spouse's surname, with
typos, other date formats (bare year, swapped day/month), a renewed passport, another
phone format, a moved city, missing fields. Siblings and namesakes make hard non-matches.

Usage: gen_synthetic.py N_RECORDS OUT.csv [--seed S]
"""
import argparse
import csv
import random
import unicodedata

FAMILY = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 3), ("Huỳnh", 2),
          ("Phan", 4.5), ("Vũ", 2), ("Võ", 2), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4),
          ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1), ("Lý", 0.5), ("Trương", 0.6), ("Đinh", 0.6),
          ("Đào", 0.5), ("Trịnh", 0.4), ("Lương", 0.4), ("Lưu", 0.3), ("Đoàn", 0.4), ("Tạ", 0.2),
          ("Thái", 0.3), ("Kiều", 0.2), ("Quách", 0.1), ("Tôn", 0.1), ("Mai", 0.3), ("Cao", 0.3),
          ("Lâm", 0.3), ("Hà", 0.3), ("Chu", 0.1), ("Phùng", 0.2), ("Khổng", 0.05), ("Mạc", 0.05)]
MIDDLE_M = [("Văn", 45), ("Đức", 8), ("Minh", 8), ("Hữu", 7), ("Quang", 6), ("Thanh", 5),
            ("Công", 4), ("Xuân", 3), ("Ngọc", 3), ("Đình", 4), ("Trọng", 3), ("Anh", 2),
            ("Tuấn", 2), ("Hoàng", 2), ("Duy", 2), ("Bá", 2)]
MIDDLE_F = [("Thị", 55), ("Ngọc", 8), ("Thu", 6), ("Thanh", 5), ("Minh", 4), ("Kim", 4),
            ("Phương", 3), ("Hồng", 3), ("Mỹ", 3), ("Bích", 2), ("Thùy", 3), ("Hoài", 2),
            ("Diệu", 1), ("Quỳnh", 2)]
GIVEN_M = ["Hùng", "Dũng", "Nam", "Minh", "Tuấn", "Hải", "Long", "Sơn", "Thắng", "Hoàng", "Phong",
           "Quân", "Trung", "Đức", "Anh", "Bình", "Cường", "Hiếu", "Huy", "Khánh", "Lâm", "Lợi",
           "Mạnh", "Nghĩa", "Phúc", "Quang", "Tài", "Thành", "Thịnh", "Toàn", "Tùng", "Việt",
           "Vinh", "Vũ", "Bảo", "Đạt", "Giang", "Hậu", "Kiên", "Khoa", "Lộc", "Nhân", "Phát",
           "Sang", "Tâm", "Thái", "Thông", "Tiến", "Trí", "Tú", "Chiến", "Công", "Duy", "Hiệp",
           "Hòa", "Kha", "Luân", "Ninh", "Quý", "Sỹ", "Tín", "Vương", "Xuân", "Đông", "Định"]
GIVEN_F = ["Lan", "Hương", "Hoa", "Mai", "Linh", "Trang", "Hà", "Thảo", "Ngọc", "Hằng", "Nga",
           "Phương", "Thủy", "Yến", "Anh", "Dung", "Giang", "Hạnh", "Hiền", "Huyền", "Loan",
           "Ly", "My", "Nhung", "Oanh", "Quyên", "Tâm", "Thơ", "Trâm", "Uyên", "Vân", "Vy",
           "Xuân", "Bích", "Châu", "Diệp", "Duyên", "Hậu", "Hồng", "Khánh", "Lệ", "Liên", "Mơ",
           "Nguyệt", "Nhi", "Phượng", "Quỳnh", "Sen", "Thoa", "Thúy", "Tuyết", "Vi", "Xoan"]
FOREIGN_SURNAMES = ["Smith", "Kim", "Park", "Lee", "Tanaka", "Sato", "Wang", "Chen", "Martin",
                    "Bernard", "Müller", "Schmidt", "Johnson", "Brown", "Lin", "Huang", "Suzuki"]
COUNTRIES = [("Lào", ["Viêng Chăn", "Pạc Xế", "Thà Khẹc", "Savannakhet"], 12),
             ("Thái Lan", ["Bangkok", "Udon Thani", "Nakhon Phanom", "Sakon Nakhon"], 12),
             ("Hàn Quốc", ["Seoul", "Busan", "Incheon", "Daegu", "Ansan"], 14),
             ("Nhật Bản", ["Tokyo", "Osaka", "Nagoya", "Saitama", "Fukuoka"], 15),
             ("Đài Loan", ["Đài Bắc", "Đài Trung", "Cao Hùng", "Đào Viên"], 14),
             ("Hoa Kỳ", ["San Jose", "Houston", "Los Angeles", "Seattle", "Boston"], 8),
             ("Pháp", ["Paris", "Lyon", "Marseille"], 4),
             ("Đức", ["Berlin", "Leipzig", "Hamburg", "München"], 5),
             ("Úc", ["Sydney", "Melbourne", "Adelaide"], 4),
             ("Canada", ["Toronto", "Montreal", "Vancouver"], 3),
             ("Anh", ["London", "Birmingham"], 2), ("Nga", ["Moskva", "Sankt-Peterburg"], 3),
             ("Campuchia", ["Phnôm Pênh", "Takeo", "Kandal"], 4)]
CATEGORIES = ["foreign_national", "migrant", "foreign_marriage", "contract_labour", "study_abroad"]
SOURCES = ["police", "fatherland_front", "justice", "labour", "home_affairs", "education", "mission",
           "association", "survey"]
SYLL = ["Thạch", "Cẩm", "Kỳ", "Hương", "Đức", "Can", "Nghi", "Lộc", "Hồng", "Sơn", "Xuân", "An",
        "Phú", "Bình", "Tân", "Trung", "Hòa", "Long", "Mỹ", "Thịnh", "Vĩnh", "Phước", "Quang", "Hải",
        "Đông", "Tây", "Nam", "Bắc", "Yên", "Lạc", "Thanh", "Minh", "Hưng", "Lợi", "Châu", "Thọ"]


def strip_diacritics(s):
    s = s.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def weighted(rng, items):
    names = [i[0] for i in items]
    weights = [i[1] for i in items]
    return rng.choices(names, weights=weights)[0]


def zipf_choice(rng, items, s=1.0):
    weights = [1.0 / (i + 1) ** s for i in range(len(items))]
    return rng.choices(items, weights=weights)[0]


def make_geography(rng):
    districts = []
    used = set()
    for _ in range(12):
        while True:
            d = rng.choice(SYLL) + " " + rng.choice(SYLL)
            if d not in used:
                used.add(d)
                break
        communes = []
        for _ in range(rng.randint(12, 25)):
            while True:
                c = rng.choice(SYLL) + " " + rng.choice(SYLL)
                if c not in used:
                    used.add(c)
                    break
            communes.append(c)
        districts.append((d, communes))
    return districts


def typo(rng, s):
    if len(s) < 3:
        return s
    i = rng.randrange(1, len(s) - 1)
    op = rng.random()
    letters = "abcdeghiklmnopqrstuvxy"
    if op < 0.35:
        return s[:i] + s[i + 1:]
    if op < 0.7:
        return s[:i] + rng.choice(letters) + s[i + 1:]
    if op < 0.85:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:] if i + 1 < len(s) else s
    return s[:i] + rng.choice(letters) + s[i:]


def new_person(rng, pid, geo, family=None):
    sex = rng.choice("MF")
    fam = family["family"] if family else weighted(rng, FAMILY)
    middles = [weighted(rng, MIDDLE_M if sex == "M" else MIDDLE_F)]
    if rng.random() < 0.12:
        middles.append(weighted(rng, MIDDLE_M if sex == "M" else MIDDLE_F))
        if middles[0] == middles[1]:
            middles.pop()
    given = zipf_choice(rng, GIVEN_M if sex == "M" else GIVEN_F, 0.9)
    year = family["year"] + rng.randint(-8, 8) if family else rng.randint(1940, 2006)
    year = max(1930, min(2008, year))
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    if family:
        district, commune = family["district"], family["commune"]
        father = family["father"]
    else:
        district, communes = rng.choice(geo)
        commune = rng.choice(communes)
        father = (fam + " " + weighted(rng, MIDDLE_M) + " "
                  + zipf_choice(rng, GIVEN_M, 0.9)) if rng.random() < 0.9 else ""
    country, cities, _ = rng.choices(COUNTRIES, weights=[c[2] for c in COUNTRIES])[0]
    city = rng.choice(cities)
    ascii_name = strip_diacritics(given + fam).lower().replace(" ", "")
    return {
        "pid": pid, "sex": sex, "family": fam, "middles": middles, "given": given,
        "year": year, "month": month, "day": day, "district": district, "commune": commune,
        "father": father, "country": country, "city": city,
        "passport": rng.choice("BCN") + "%07d" % rng.randrange(10 ** 7),
        "phone": "9%08d" % rng.randrange(10 ** 8),
        "email": "%s%d@%s" % (ascii_name, rng.randint(1, 999), rng.choice(["gmail.com", "yahoo.com", "naver.com"])),
        "category": rng.choice(CATEGORIES),
        "spouse": rng.choice(FOREIGN_SURNAMES) if sex == "F" and rng.random() < 0.15 else None,
    }


def render(rng, p, source):
    """One list's row for a person, with that list's ways and errors."""
    fam, middles, given = p["family"], list(p["middles"]), p["given"]
    if p["spouse"] and rng.random() < 0.5:
        fam = p["spouse"]
        if rng.random() < 0.6:
            middles = []
    if rng.random() < 0.12 and middles:
        middles = middles[:-1] if len(middles) > 1 and rng.random() < 0.5 else []
    if fam in ("Vũ", "Võ") and rng.random() < 0.1:
        fam = "Võ" if fam == "Vũ" else "Vũ"
    if fam in ("Hoàng", "Huỳnh") and rng.random() < 0.1:
        fam = "Huỳnh" if fam == "Hoàng" else "Hoàng"
    parts = [fam] + middles + [given]
    if rng.random() < 0.04:
        k = rng.randrange(len(parts))
        parts[k] = typo(rng, parts[k])
    if rng.random() < 0.15:  # written the Western way
        parts = parts[-1:] + parts[1:-1] + parts[:1] if rng.random() < 0.5 else [parts[-1]] + parts[1:-1] + [parts[0]]
    name = " ".join(parts)
    if rng.random() < 0.4:
        name = strip_diacritics(name)
    if rng.random() < 0.3:
        name = name.upper()

    y, m, d = p["year"], p["month"], p["day"]
    r = rng.random()
    if r < 0.03:
        d = rng.randint(1, 28)  # wrong day
    elif r < 0.04:
        y = y + rng.choice([-1, 1])
    if rng.random() < 0.08:
        birth = str(y)
    elif rng.random() < 0.03 and d <= 12 and d != m:
        birth = "%02d/%02d/%04d" % (m, d, y)  # day and month swapped
    elif rng.random() < 0.5:
        birth = "%02d/%02d/%04d" % (d, m, y)
    else:
        birth = "%04d-%02d-%02d" % (y, m, d)
    if rng.random() < 0.05:
        birth = ""

    commune, district = p["commune"], p["district"]
    style = rng.random()
    if style < 0.3:
        home = "Xã %s, Huyện %s, Hà Tĩnh" % (commune, district)
    elif style < 0.55:
        home = "%s, %s" % (commune, district)
    elif style < 0.75:
        home = "Xã %s, Hà Tĩnh" % commune
    elif style < 0.85:
        home = strip_diacritics("%s, %s, Ha Tinh" % (commune, district))
    else:
        home = ""

    passport = p["passport"] if rng.random() < 0.5 else ""
    if passport and rng.random() < 0.1:
        passport = rng.choice("BCN") + "%07d" % rng.randrange(10 ** 7)  # renewed
    if passport and rng.random() < 0.02:
        passport = typo(rng, passport)

    phone = ""
    if rng.random() < 0.5:
        digits = p["phone"]
        if rng.random() < 0.08:
            digits = "9%08d" % rng.randrange(10 ** 8)  # changed number
        fmt = rng.random()
        if fmt < 0.3:
            phone = "0" + digits
        elif fmt < 0.5:
            phone = "+84 %s %s %s" % (digits[:3], digits[3:6], digits[6:])
        elif fmt < 0.7:
            phone = "0084" + digits
        else:
            phone = "0%s %s %s" % (digits[:3], digits[3:6], digits[6:])
    email = p["email"] if rng.random() < 0.25 else ""
    city = p["city"] if rng.random() < 0.8 else ""
    if city and rng.random() < 0.05:
        city = rng.choice([c for c in COUNTRIES if c[0] == p["country"]][0][1])
    country = p["country"] if rng.random() < 0.95 else ""
    if country and rng.random() < 0.4:
        country = strip_diacritics(country)
    father = p["father"] if rng.random() < 0.45 else ""
    if father and rng.random() < 0.4:
        father = strip_diacritics(father)
    gender = {"M": rng.choice(["Nam", "M", "male"]), "F": rng.choice(["Nữ", "F", "female"])}[p["sex"]]
    if rng.random() < 0.1:
        gender = ""
    return [source, name, gender, birth, country, city, home, passport, phone, email, father,
            p["category"]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=8)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    geo = make_geography(rng)
    rows = []
    pid = 0
    while len(rows) < args.n:
        family = None
        # Siblings: same family name, father, hometown, similar age.
        group = 1 if rng.random() < 0.75 else rng.randint(2, 4)
        for _ in range(group):
            p = new_person(rng, pid, geo, family)
            if family is None:
                family = p
            pid += 1
            copies = 1 if rng.random() < 0.7 else rng.choice([2, 2, 2, 3, 3, 4])
            for src in rng.sample(SOURCES, copies):
                rows.append(render(rng, p, src) + [p["pid"]])
    rows = rows[: args.n]
    rng.shuffle(rows)
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["record_id", "source", "full_name", "gender", "birth_date", "country",
                    "city_abroad", "hometown", "passport_no", "phone", "email", "father_name",
                    "category", "true_person_id"])
        for i, r in enumerate(rows):
            w.writerow(["r%d" % i] + r[:-1] + ["p%d" % r[-1]])


if __name__ == "__main__":
    main()
