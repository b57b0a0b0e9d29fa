#!/usr/bin/env python3
"""Generates the labelled Korean personal-data corpus of NuriGuard's tests.

    python3 scripts/make-pii-corpus.py            # writes Tests/NuriGuardTests/Fixtures/pii-corpus.jsonl
                                                  # and, from ../shared/data/kobest, general-text-kobest.txt

Every identifier is synthetic: dates, serials and check digits come from a seeded random
generator and the published check-digit rules, names from common surname and given-name lists,
addresses from real road names with random building numbers. No real person's data.

Each line: {"id", "domain", "text", "entities": [{"type", "start", "end", "value"}],
"sensitive": [category, ...], "negative": bool}. Offsets are Python string indexes (Unicode code
points, end exclusive). "negative" lines are hard negatives: no personal data at all, but order
and tracking numbers, dates, prices, versions, barcodes, company numbers, ordinary words next to
titles, and numbers shaped like identifiers that fail their validation.
"""
import argparse
import json
import random
import re
from datetime import date, timedelta
from pathlib import Path

SEED = 20240521
rng = random.Random(SEED)


# ---------------------------------------------------------------------------------------------
# Identifier generators (valid by construction)
# ---------------------------------------------------------------------------------------------

def digits(n):
    return "".join(str(rng.randrange(10)) for _ in range(n))


def rand_date(start_year, end_year):
    start = date(start_year, 1, 1)
    end = date(end_year, 12, 31)
    return start + timedelta(days=rng.randrange((end - start).days + 1))


RRN_W = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]


def rrn_check(d12, alien=False):
    s = sum(int(a) * w for a, w in zip(d12, RRN_W))
    return str(((13 if alien else 11) - s % 11) % 10)


def sex_digit(year, alien=False):
    female = rng.random() < 0.5
    if year < 2000:
        base = 1
    else:
        base = 3
    d = base + (1 if female else 0)
    return str(d + 4 if alien else d)


def rrn(style="hyphen", recent=False, alien=False):
    """An RRN (or ARN). recent=True: issued after Oct 2020, random tail, usually no valid check."""
    if recent:
        birth = rand_date(2020, 2023) if not alien else rand_date(1965, 2003)
        if birth < date(2020, 10, 1) and not alien:
            birth = date(2021, rng.randrange(1, 13), rng.randrange(1, 28))
    else:
        birth = rand_date(1938, 2019)
    front = birth.strftime("%y%m%d")
    s = sex_digit(birth.year, alien)
    tail = digits(5)
    d12 = front + s + tail
    if recent:
        last = str(rng.randrange(10))
        if last == rrn_check(d12, alien):
            last = str((int(last) + 1) % 10)
    else:
        last = rrn_check(d12, alien)
    number = d12 + last
    return format_13(number, style)


def format_13(number, style):
    return number[:6] + "-" + number[6:] if style == "hyphen" else number


CRN_OFFICES = ["1101", "1201", "1301", "1311", "1345", "1346", "1358", "1401", "1501", "1601", "1701", "1748",
               "1801", "1901", "2001", "2101", "2201", "2301", "2401", "2501", "2601", "2801", "2841", "1613",
               "1150", "1244", "1311", "1749"]
CRN_KINDS = ["11", "11", "11", "12", "13", "14", "21", "22", "31", "71", "81", "84", "85"]


def crn_check(d12):
    s = sum(int(a) * (1 if i % 2 == 0 else 2) for i, a in enumerate(d12))
    return str((10 - s % 10) % 10)


def crn():
    d12 = rng.choice(CRN_OFFICES) + rng.choice(CRN_KINDS) + str(rng.choice([0, 0, 0, 0, 1, 2])) + digits(5)
    n = d12 + crn_check(d12)
    return n[:6] + "-" + n[6:]


BRN_W = [1, 3, 7, 1, 3, 7, 1, 3, 5]
TAX_OFFICES = ["101", "104", "105", "106", "107", "108", "110", "113", "114", "119", "120", "124", "129", "130",
               "134", "137", "138", "140", "201", "206", "211", "214", "215", "220", "229", "301", "305", "312",
               "314", "408", "409", "410", "502", "504", "513", "514", "601", "603", "605", "617", "621", "124"]


def brn_check(d9):
    s = sum(int(a) * w for a, w in zip(d9, BRN_W)) + (int(d9[8]) * 5) // 10
    return str((10 - s % 10) % 10)


def brn(style="hyphen"):
    kind = rng.choice(["01", "02", "05", "10", "12", "23", "37", "81", "81", "86", "87", "88"])
    d9 = rng.choice(TAX_OFFICES) + kind + digits(4)
    n = d9 + brn_check(d9)
    return f"{n[:3]}-{n[3:5]}-{n[5:]}" if style == "hyphen" else n


def passport(new=None):
    if new is None:
        new = rng.random() < 0.5
    letter = rng.choice("MMMMMSRO")
    if new:
        return letter + digits(3) + rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + digits(4)
    return letter + digits(8)


DL_REGIONS = {11: "서울", 12: "부산", 13: "경기", 14: "강원", 15: "충북", 16: "충남", 17: "전북", 18: "전남",
              19: "경북", 20: "경남", 21: "제주", 22: "대구", 23: "인천", 24: "광주", 25: "대전", 26: "울산", 28: "경기북부"}


def driver_license(style="hyphen"):
    region = rng.choice(list(DL_REGIONS))
    year = f"{rng.randrange(0, 25):02d}" if rng.random() < 0.7 else f"{rng.randrange(85, 100):02d}"
    serial, check = digits(6), digits(2)
    if style == "hyphen":
        return f"{region}-{year}-{serial}-{check}"
    if style == "plain":
        return f"{region}{year}{serial}{check}"
    return f"{DL_REGIONS[region]} {year}-{serial}-{check}"


def phone(kind=None, sep=None):
    kind = kind or rng.choice(["mobile"] * 7 + ["old"] + ["landline"] * 2 + ["intl"])
    sep = sep if sep is not None else rng.choice(["-"] * 7 + [""] * 2 + [" ", "."])
    if kind == "mobile":
        parts = ["010", f"{rng.randrange(2000, 10000)}", digits(4)]
    elif kind == "old":
        parts = [rng.choice(["011", "016", "017", "018", "019"]), str(rng.randrange(200, 1000)) if rng.random() < 0.5 else str(rng.randrange(2000, 10000)), digits(4)]
    elif kind == "voip":
        parts = ["070", str(rng.randrange(2000, 10000)), digits(4)]
    elif kind == "landline":
        area = rng.choice(["02", "02", "031", "032", "033", "041", "042", "043", "044", "051", "052", "053", "054", "055", "061", "062", "063", "064"])
        middle = str(rng.randrange(200, 1000)) if rng.random() < 0.4 else str(rng.randrange(2000, 10000))
        parts = [area, middle, digits(4)]
    else:  # intl
        form = rng.choice(["+82 10-{}-{}", "+82-10-{}-{}", "+8210{}{}", "+82 10 {} {}"])
        return form.format(rng.randrange(2000, 10000), digits(4))
    return sep.join(parts)


def luhn_complete(prefix, length):
    body = prefix + digits(length - len(prefix) - 1)
    total = 0
    for i, ch in enumerate(reversed(body)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return body + str((10 - total % 10) % 10)


def card(style=None):
    brand = rng.choice(["visa", "visa", "master", "master", "amex", "jcb", "unionpay", "bc", "master2"])
    prefix, length = {
        "visa": (rng.choice(["4", "4111", "4902", "4579", "4518"]), 16),
        "master": (rng.choice(["51", "52", "53", "54", "55"]), 16),
        "master2": (str(rng.randrange(2221, 2721)), 16),
        "amex": (rng.choice(["34", "37"]), 15),
        "jcb": (str(rng.randrange(3528, 3590)), 16),
        "unionpay": ("62", 16),
        "bc": (rng.choice(["9410", "9420", "9490"]), 16),
    }[brand]
    n = luhn_complete(prefix, length)
    style = style or rng.choice(["-", "-", "-", " ", ""])
    if style == "":
        return n
    if length == 15:
        return style.join([n[:4], n[4:10], n[10:]])
    return style.join([n[i:i + 4] for i in range(0, 16, 4)])


BANKS = [  # name, layout
    ("국민은행", [6, 2, 6]), ("KB국민은행", [6, 2, 6]), ("신한은행", [3, 3, 6]), ("우리은행", [4, 3, 6]),
    ("하나은행", [3, 6, 5]), ("농협", [3, 4, 4, 2]), ("NH농협", [3, 4, 4, 2]), ("기업은행", [3, 6, 2, 3]),
    ("IBK기업은행", [3, 6, 2, 3]), ("카카오뱅크", [4, 2, 7]), ("토스뱅크", [4, 4, 4]), ("케이뱅크", [3, 3, 6]),
    ("우체국", [6, 2, 6]), ("새마을금고", [4, 2, 6, 1]), ("SC제일은행", [3, 2, 6]), ("부산은행", [3, 4, 4, 3]),
    ("씨티은행", [3, 6, 3]),
]


def bank_account(layout, style="-"):
    groups = [digits(n) for n in layout]
    if layout == [4, 2, 7]:
        groups[0] = "3333"
    if layout == [4, 3, 6]:
        groups[0] = "1002"
    if layout == [3, 3, 6]:
        groups[0] = rng.choice(["110", "140", "100"])
    return style.join(groups)


ROMAN = ["minsu", "jihoon", "yuna", "seoyeon", "hong", "kim", "lee", "park", "choi", "jung", "dahye", "sujin",
         "hyunwoo", "jiwon", "eunji", "taeyang", "sora", "hana", "joon", "yerin", "gildong", "younghee"]
DOMAINS = ["naver.com", "gmail.com", "daum.net", "hanmail.net", "kakao.com", "nate.com", "korea.kr",
           "snu.ac.kr", "nuritech.co.kr", "example.com", "hospital.or.kr", "outlook.com"]


def email():
    local = rng.choice(ROMAN)
    r = rng.random()
    if r < 0.3:
        local += str(rng.randrange(70, 100)) if rng.random() < 0.5 else str(rng.randrange(1, 1000))
    elif r < 0.5:
        local += rng.choice([".", "_", "-"]) + rng.choice(ROMAN)
    elif r < 0.6:
        local = local.capitalize() + "." + rng.choice(ROMAN).capitalize()
    return local + "@" + rng.choice(DOMAINS)


def ipv4(kind=None):
    kind = kind or rng.choice(["private", "private", "public", "ten"])
    if kind == "private":
        return f"192.168.{rng.randrange(0, 256)}.{rng.randrange(1, 255)}"
    if kind == "ten":
        return f"10.{rng.randrange(0, 256)}.{rng.randrange(0, 256)}.{rng.randrange(1, 255)}"
    return f"{rng.choice([58, 61, 112, 118, 121, 175, 210, 211, 220, 203])}.{rng.randrange(0, 256)}.{rng.randrange(0, 256)}.{rng.randrange(1, 255)}"


def ipv6():
    form = rng.choice(["full", "compressed", "link"])
    groups = [f"{rng.randrange(0, 65536):x}" for _ in range(8)]
    if form == "full":
        return ":".join(["2001", "0db8"] + groups[2:])
    if form == "link":
        return "fe80::" + ":".join(groups[4:])
    return "2001:db8:" + groups[2] + "::" + groups[7]


# Road-name addresses: (province forms, district, roads)
ADDRESS_AREAS = [
    (["서울특별시", "서울시", "서울"], "강남구", ["테헤란로", "강남대로", "도산대로", "봉은사로", "선릉로", "논현로", "언주로", "학동로"]),
    (["서울특별시", "서울"], "종로구", ["세종대로", "종로", "율곡로", "자하문로", "삼일대로"]),
    (["서울특별시", "서울시"], "마포구", ["월드컵로", "양화로", "와우산로", "마포대로", "독막로"]),
    (["서울특별시", "서울"], "서초구", ["반포대로", "서초대로", "효령로", "양재대로", "사평대로"]),
    (["서울특별시", "서울"], "관악구", ["관악로", "남부순환로", "봉천로", "신림로"]),
    (["서울특별시", "서울"], "성동구", ["왕십리로", "성수이로", "아차산로", "뚝섬로"]),
    (["서울특별시"], "송파구", ["올림픽로", "송파대로", "백제고분로", "오금로"]),
    (["부산광역시", "부산"], "해운대구", ["해운대로", "센텀중앙로", "달맞이길", "좌동순환로"]),
    (["부산광역시"], "부산진구", ["중앙대로", "서면로", "전포대로"]),
    (["대구광역시", "대구"], "수성구", ["달구벌대로", "동대구로", "수성로"]),
    (["인천광역시", "인천"], "연수구", ["인천타워대로", "컨벤시아대로", "송도과학로"]),
    (["광주광역시"], "서구", ["상무대로", "상무중앙로", "무진대로"]),
    (["대전광역시", "대전"], "유성구", ["대학로", "대덕대로", "유성대로", "과학로"]),
    (["울산광역시"], "남구", ["삼산로", "번영로", "돋질로"]),
]
PROVINCE_CITY_AREAS = [
    (["경기도", "경기"], "성남시 분당구", ["판교역로", "불정로", "정자일로", "황새울로", "대왕판교로"]),
    (["경기도"], "수원시 영통구", ["광교중앙로", "매영로", "봉영로"]),
    (["경기도", "경기"], "고양시 일산동구", ["중앙로", "정발산로", "장백로"]),
    (["강원특별자치도", "강원도"], "춘천시", ["중앙로", "공지로", "후석로"]),
    (["충청북도", "충북"], "청주시 흥덕구", ["가로수로", "직지대로", "풍산로"]),
    (["충청남도"], "천안시 서북구", ["불당대로", "번영로", "충무로"]),
    (["전라북도", "전북특별자치도"], "전주시 완산구", ["효자로", "홍산로", "서학로"]),
    (["전라남도"], "순천시", ["중앙로", "순광로", "연향번영길"]),
    (["경상북도"], "포항시 남구", ["포스코대로", "대이로", "희망대로"]),
    (["경상남도", "경남"], "창원시 성산구", ["중앙대로", "원이대로", "창원대로"]),
    (["제주특별자치도", "제주도"], "제주시", ["첨단로", "연북로", "노형로", "중앙로"]),
    (["세종특별자치시", "세종시"], "", ["한누리대로", "도움6로", "갈매로"]),
]
BUILDINGS = ["래미안아파트", "푸르지오", "자이아파트", "힐스테이트", "현대아파트", "e편한세상", "롯데캐슬", "한신빌라",
             "누리빌딩", "에이치스퀘어", "센트럴타워", "스타빌", "미래오피스텔"]
NEIGHBOURHOODS = ["역삼동", "삼성동", "신림동", "봉천동", "서교동", "연남동", "대치동", "우동", "정자동", "반포동", "성수동"]


def address():
    """A road-name address string (its whole span is ADDRESS)."""
    if rng.random() < 0.7:
        provinces, district, roads = rng.choice(ADDRESS_AREAS)
    else:
        provinces, district, roads = rng.choice(PROVINCE_CITY_AREAS)
    province = rng.choice(provinces)
    road = rng.choice(roads)
    r = rng.random()
    if r < 0.12:
        road += f"{rng.randrange(1, 60)}길"
    elif r < 0.2:
        road += f"{rng.randrange(10, 300)}번길"
    number = str(rng.randrange(1, 500))
    if rng.random() < 0.15:
        number += f"-{rng.randrange(1, 40)}"
    parts = [province] + ([district] if district else []) + [road, number]
    if rng.random() < 0.15 and district:
        parts = parts[1:]  # without the province
    text = " ".join(parts)
    r = rng.random()
    if r < 0.25:
        text += f", {rng.randrange(1, 25)}층"
    elif r < 0.5:
        text += f" {rng.choice(BUILDINGS)} {rng.randrange(101, 120)}동 {rng.randrange(1, 25)}{rng.randrange(1, 9):02d}호"
    elif r < 0.6:
        text += f" ({rng.choice(NEIGHBOURHOODS)})"
    elif r < 0.7:
        text += f", {rng.randrange(101, 1500)}호"
    return text


def lot_address():
    provinces, district, _ = rng.choice(ADDRESS_AREAS)
    text = f"{rng.choice(provinces)} {district} {rng.choice(NEIGHBOURHOODS)} {rng.randrange(1, 999)}-{rng.randrange(1, 99)}"
    if rng.random() < 0.3:
        text += "번지"
    return text


SURNAMES = (["김"] * 21 + ["이"] * 15 + ["박"] * 8 + ["최"] * 5 + ["정"] * 5 + ["강", "조", "윤", "장", "임"] * 2
            + ["한", "오", "서", "신", "권", "황", "안", "송", "류", "전", "홍", "고", "문", "양", "손", "배", "백",
               "허", "유", "남", "심", "노", "하", "곽", "성", "차", "주", "우", "구", "민", "진", "나", "지", "엄",
               "채", "원", "천", "방", "공", "현", "함", "변", "염", "여", "추", "도", "석", "선", "설", "마", "길",
               "연", "위", "표", "명", "기", "반", "왕", "금", "옥", "육", "인", "맹", "제", "모", "탁", "국"]
            + ["남궁", "황보", "제갈", "선우", "독고"])
GIVEN = ["민준", "서준", "도윤", "예준", "시우", "하준", "지호", "주원", "지후", "준우", "준서", "건우", "현우", "우진",
         "선우", "서진", "연우", "민재", "현준", "정우", "서연", "서윤", "지우", "서현", "민서", "하은", "하윤", "윤서",
         "지유", "지민", "채원", "수아", "지아", "다은", "은서", "예은", "수빈", "소율", "예린", "지원", "영수", "영희",
         "철수", "순자", "영자", "정숙", "미숙", "경희", "성호", "상철", "동현", "지훈", "민수", "은지", "유진", "혜진",
         "소연", "재현", "태희", "정민", "승민", "진영", "미영", "은영", "종수", "광수", "명희", "순희", "옥자", "정희",
         "영호", "성민", "재훈", "상우", "형준", "대현", "주희", "수진", "지혜", "보람", "한결", "다인", "하늘", "가은",
         "나연", "슬기", "아름", "바다", "솔", "준", "혁", "진", "윤", "현", "길동", "순신", "유리", "태양", "민호",
         "지성", "병철", "기순", "말순", "춘자", "용수", "덕수", "봉순", "석진", "남준", "윤기", "호석", "지은", "예지"]


# Less common given names, for the second batch: the detector's syllable list was not tuned on them.
GIVEN_RARE = ["도영", "시현", "채린", "규리", "하랑", "이든", "로하", "온유", "태오", "루아", "해솔", "다온", "라온",
              "윤슬", "서우", "은호", "지율", "유찬", "건희", "혜성", "재경", "문희", "상미", "미란", "경자", "숙희",
              "말자", "판석", "만복", "봉구", "필순", "정란", "세영", "규현", "찬영", "동건", "희준", "나래", "가람",
              "초롱", "새롬", "여름", "겨울", "단비", "이슬", "한별", "은비", "수정", "명수", "형돈", "재석", "종국",
              "광희", "효리", "보아", "인성", "혜교", "중기", "민호", "소희", "태연", "윤아", "창민", "규", "훈", "란"]
state_pool = {"given": GIVEN}


def person():
    return rng.choice(SURNAMES) + rng.choice(state_pool["given"])


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------
# A template is a string with {SLOT} markers. Slots that are personal data are recorded as spans.
# {NAME}, {RRN}, {RRN_NEW}, {RRN_PLAIN}, {ARN}, {ARN_NEW}, {CRN}, {BRN}, {BRN_PLAIN}, {PASSPORT},
# {PASSPORT_OLD}, {PASSPORT_NEW}, {DL}, {DL_PLAIN}, {DL_REGION}, {PHONE}, {MOBILE}, {LANDLINE},
# {PHONE_INTL}, {VOIP}, {CARD}, {CARD_PLAIN}, {ACCOUNT:<bank index or random>}, {BANK} (bank name
# paired with the next ACCOUNT), {EMAIL}, {IP}, {IPV6}, {ADDRESS}, {LOT_ADDRESS}.
# Non-personal slots (never spans): {ORDER}, {TRACKING}, {DATE}, {PRICE}, {VERSION}, {BARCODE},
# {COMPANY_PHONE}, {TIME}, {N}, {BAD_RRN}, {BAD_CARD}, {BAD_BRN}, {PRODUCT}, {INVOICE}.

def value_for(slot, state):
    """(text, entity type or None) for a slot."""
    if slot == "NAME":
        return person(), "PERSON"
    if slot == "RRN":
        return rrn(), "RRN"
    if slot == "RRN_NEW":
        return rrn(recent=True), "RRN"
    if slot == "RRN_PLAIN":
        return rrn(style="plain"), "RRN"
    if slot == "ARN":
        return rrn(alien=True), "ARN"
    if slot == "ARN_NEW":
        return rrn(alien=True, recent=True), "ARN"
    if slot == "CRN":
        return crn(), "CRN"
    if slot == "BRN":
        return brn(), "BRN"
    if slot == "BRN_PLAIN":
        return brn(style="plain"), "BRN"
    if slot == "PASSPORT":
        return passport(), "PASSPORT"
    if slot == "PASSPORT_OLD":
        return passport(new=False), "PASSPORT"
    if slot == "PASSPORT_NEW":
        return passport(new=True), "PASSPORT"
    if slot == "DL":
        return driver_license(), "DRIVER_LICENSE"
    if slot == "DL_PLAIN":
        return driver_license("plain"), "DRIVER_LICENSE"
    if slot == "DL_REGION":
        return driver_license("region"), "DRIVER_LICENSE"
    if slot == "PHONE":
        return phone(), "PHONE"
    if slot == "MOBILE":
        return phone("mobile"), "PHONE"
    if slot == "LANDLINE":
        return phone("landline", "-"), "PHONE"
    if slot == "PHONE_INTL":
        return phone("intl"), "PHONE"
    if slot == "VOIP":
        return phone("voip", "-"), "PHONE"
    if slot == "CARD":
        return card(), "CARD"
    if slot == "CARD_PLAIN":
        return card(""), "CARD"
    if slot == "BANK":
        state["bank"] = rng.choice(BANKS)
        return state["bank"][0], None
    if slot == "ACCOUNT":
        bank = state.get("bank") or rng.choice(BANKS)
        return bank_account(bank[1]), "BANK_ACCOUNT"
    if slot == "ACCOUNT_KB":
        return bank_account([6, 2, 6]), "BANK_ACCOUNT"
    if slot == "ACCOUNT_PLAIN":
        bank = state.get("bank") or rng.choice(BANKS)
        return bank_account(bank[1], ""), "BANK_ACCOUNT"
    if slot == "EMAIL":
        return email(), "EMAIL"
    if slot == "IP":
        return ipv4(), "IP"
    if slot == "IPV6":
        return ipv6(), "IP"
    if slot == "ADDRESS":
        return address(), "ADDRESS"
    if slot == "LOT_ADDRESS":
        return lot_address(), "ADDRESS"
    # Non-personal values.
    if slot == "ORDER":
        return rng.choice([
            lambda: f"{rng.randrange(2023, 2025)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}-{digits(7)}",
            lambda: f"ORD-{digits(8)}",
            lambda: f"{rng.randrange(2023, 2025)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{digits(6)}",
            lambda: f"{digits(4)}-{digits(4)}-{digits(4)}",
            lambda: f"B{digits(11)}",
            lambda: digits(16),
        ])(), None
    if slot == "TRACKING":
        return rng.choice([
            lambda: f"{digits(4)}-{digits(4)}-{digits(4)}", lambda: digits(12), lambda: f"{digits(3)}-{digits(4)}-{digits(4)}",
            lambda: digits(13), lambda: f"6{digits(3)} {digits(4)} {digits(4)}",
        ])(), None
    if slot == "DATE":
        d = rand_date(2020, 2025)
        return rng.choice([d.strftime("%Y-%m-%d"), d.strftime("%Y.%m.%d"), d.strftime("%Y/%m/%d"),
                           f"{d.year}년 {d.month}월 {d.day}일", d.strftime("%y.%m.%d"), d.strftime("%Y%m%d")]), None
    if slot == "TIME":
        return rng.choice([f"{rng.randrange(0, 24):02d}:{rng.randrange(0, 60):02d}",
                           f"{rng.randrange(0, 24):02d}:{rng.randrange(0, 60):02d}:{rng.randrange(0, 60):02d}",
                           f"오후 {rng.randrange(1, 12)}시 {rng.randrange(0, 60)}분"]), None
    if slot == "PRICE":
        return rng.choice([f"{rng.randrange(1, 999):,}{rng.choice(['', ',000'])}원", f"₩{rng.randrange(1000, 9999999):,}",
                           f"{rng.randrange(1, 99)}만 {rng.randrange(1, 9)}천원", f"${rng.randrange(1, 999)}.{rng.randrange(0, 99):02d}",
                           f"{rng.randrange(10000, 99999999):,}원"]), None
    if slot == "VERSION":
        return rng.choice([f"v{rng.randrange(1, 20)}.{rng.randrange(0, 30)}.{rng.randrange(0, 99)}",
                           f"{rng.randrange(1, 20)}.{rng.randrange(0, 30)}.{rng.randrange(0, 99)}",
                           f"{rng.randrange(1, 9)}.{rng.randrange(0, 10)}.{rng.randrange(0, 10)}.{rng.randrange(0, 200)}",
                           f"10.0.{rng.randrange(17000, 23000)}.{rng.randrange(1, 5000)}",
                           f"{rng.randrange(100, 130)}.0.{rng.randrange(6000, 7000)}.{rng.randrange(1, 200)}"]), None
    if slot == "BARCODE":
        body = "880" + digits(9)
        s = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body))
        return body + str((10 - s % 10) % 10), None
    if slot == "COMPANY_PHONE":
        return rng.choice([f"{rng.choice(['1588', '1577', '1544', '1566', '1600', '1644', '1661', '1670', '1800', '1899'])}-{digits(4)}",
                           f"080-{rng.randrange(200, 999)}-{digits(4)}", f"{rng.choice(['1588', '1544', '1600'])}{digits(4)}",
                           f"0505-{digits(3)}-{digits(4)}"]), None
    if slot == "N":
        return str(rng.randrange(1, 30)), None
    if slot == "BAD_RRN":
        # Impossible dates or a 7th digit of 9/0 with a wrong checksum.
        kind = rng.choice(["month", "day", "feb"])
        if kind == "month":
            return f"{rng.randrange(50, 99)}{rng.randrange(13, 20)}{rng.randrange(1, 28):02d}-{rng.randrange(1, 5)}{digits(6)}", None
        if kind == "day":
            return f"{rng.randrange(50, 99)}{rng.randrange(1, 13):02d}{rng.randrange(32, 40)}-{rng.randrange(1, 5)}{digits(6)}", None
        return f"{rng.choice(['90', '91', '93', '95', '97', '99'])}0230-{rng.randrange(1, 3)}{digits(6)}", None
    if slot == "BAD_RRN_PLAIN":
        while True:  # a real date, no hyphen, failing the RRN and CRN checksums: needs a label to count
            n = f"{rng.randrange(60, 99)}{rng.randrange(1, 13):02d}{rng.randrange(1, 28):02d}{rng.randrange(1, 3)}{digits(6)}"
            if rrn_check(n[:12]) != n[12] and crn_check(n[:12]) != n[12]:
                return n, None
    if slot == "BAD_CARD":
        while True:
            n = rng.choice(["4", "5", "9"]) + digits(15)
            total = 0
            for i, ch in enumerate(reversed(n)):
                v = int(ch)
                if i % 2 == 1:
                    v *= 2
                    if v > 9:
                        v -= 9
                total += v
            if total % 10 != 0:
                return "-".join(n[i:i + 4] for i in range(0, 16, 4)), None
    if slot == "BAD_BRN":
        while True:
            d = rng.choice(TAX_OFFICES) + digits(7)
            if brn_check(d[:9]) != d[9]:
                return f"{d[:3]}-{d[3:5]}-{d[5:]}", None
    if slot == "PRODUCT":
        return rng.choice([f"SM-{rng.choice('SAGN')}{rng.randrange(100, 999)}N", f"M{digits(8)}", f"KR-{digits(6)}",
                           f"A{digits(3)}B{digits(4)}", f"{rng.choice(['LG', 'SKU', 'PN'])}{digits(7)}"]), None
    if slot == "INVOICE":
        return f"INV-{rng.randrange(2023, 2025)}-{digits(5)}", None
    raise KeyError(slot)


TEMPLATES = {
    "government": [
        "주민등록등본을 발급받으려고 합니다. 제 주민등록번호는 {RRN}이고 이름은 {NAME}입니다.",
        "전입신고 하려는데요, 새 주소는 {ADDRESS}입니다. 연락처는 {MOBILE}이에요.",
        "{NAME} 님의 여권 재발급 신청이 접수되었습니다. 여권번호 {PASSPORT}는 효력이 상실됩니다.",
        "운전면허 갱신 안내: 면허번호 {DL}, 적성검사 기간이 {DATE}까지입니다.",
        "민원인 {NAME}, 주민번호 {RRN}, 주소 {ADDRESS}",
        "아이 출생신고 했는데 주민등록번호가 {RRN_NEW}로 나왔어요. 맞는지 확인해 주세요.",
        "외국인등록번호 {ARN} 체류기간 연장 신청하려고 합니다.",
        "제 외국인등록번호는 {ARN_NEW}입니다. 등록증 재발급은 어디서 하나요?",
        "기초연금 신청서에 성명: {NAME}, 생년월일 대신 주민등록번호 {RRN} 적으면 되나요?",
        "세대주 {NAME}의 주민등록번호 앞자리만 알려드리면 안 되나요? 전체는 {RRN}입니다.",
        "복지로에서 신청한 내역 확인 부탁드립니다. 신청인 {NAME}, 전화 {PHONE}.",
        "사업자등록번호 {BRN}로 부가세 신고를 했는데 오류가 납니다.",
        "법인등록번호 {CRN}, 사업자등록번호 {BRN} 기준으로 법인세 납부 내역을 조회해 주세요.",
        "저는 {NAME}입니다. 주민번호 {RRN_PLAIN}로 조회가 안 돼요.",
        "정부24 민원 신청번호 {ORDER} 처리 상태를 {NAME} 씨에게 {MOBILE}로 알려주세요.",
        "주소 변경: {ADDRESS} → {ADDRESS}",
        "여권 신청서에 영문 이름이랑 여권번호 {PASSPORT_NEW} 적었는데 맞나요?",
        "운전면허증 번호가 {DL_REGION}로 되어 있는데 새 형식으로 바뀌나요?",
        "국민신문고에 {NAME} 주무관님 앞으로 민원 넣었습니다. 회신은 {EMAIL}로 부탁드립니다.",
        "등본상 주소가 {LOT_ADDRESS}로 되어 있는데 도로명으로 바꿔주세요.",
        "주민센터 방문 예약: {DATE} {TIME}, 예약자 {NAME}, 연락처 {PHONE}",
        "Please check my alien registration number {ARN} — my visa expires on {DATE}.",
        "My name is {NAME} and my Korean phone number is {PHONE_INTL}.",
        "{NAME} 고객님, 요청하신 납세증명서를 {EMAIL}로 발송했습니다.",
        "면허번호 {DL_PLAIN} 벌점 조회 부탁드립니다.",
        "사업자 번호 {BRN_PLAIN} 휴폐업 조회해 주세요.",
    ],
    "hospital": [
        ("환자 {NAME}({N}세) 내일 오전 진료 예약 확인 부탁드립니다. 연락처 {MOBILE}.", ["health"]),
        ("{NAME} 환자분 당뇨 검사 결과 나왔습니다. 보호자 연락처는 {PHONE}입니다.", ["health"]),
        ("진료비 세부내역서를 {EMAIL}로 보내 주세요. 환자명 {NAME}, 주민번호 {RRN}.", ["health"]),
        ("저희 어머니 {NAME} 님이 고혈압 약 처방을 받으셨는데 복용법 문의드려요.", ["health"]),
        ("입원 수속: 성함 {NAME}, 주민등록번호 {RRN}, 주소 {ADDRESS}, 보호자 {NAME} ({MOBILE})", ["health"]),
        ("실손보험 청구하려고 합니다. 피보험자 {NAME}, 계좌 {BANK} {ACCOUNT}로 입금해 주세요.", ["health"]),
        ("우울증 상담 예약하고 싶어요. 이름은 {NAME}이고 번호는 {MOBILE}입니다.", ["health"]),
        ("{NAME} 선생님께 수술 일정 문의드립니다. 환자 주민번호 {RRN}.", ["health"]),
        ("건강검진 결과지를 {ADDRESS}로 우편 발송해 주세요.", ["health"]),
        ("담당 간호사 {NAME}입니다. 내일 채혈 전 금식해 주세요.", ["health"]),
        ("유전자 검사 결과 상담은 {NAME} 교수님 외래에서 가능합니다. 문의 {LANDLINE}", ["genetic"]),
        ("Patient {NAME}, MRN is internal, phone {MOBILE}, diagnosis: type 2 diabetes.", ["health"]),
        ("임신 확인서 발급 부탁드립니다. {NAME}, {RRN}", ["health"]),
        "외국인 환자 {NAME}, 여권번호 {PASSPORT}, 연락처 {PHONE_INTL}",
        ("처방전 약국 전송: 환자 {NAME}, 전화 {PHONE}, 주소 {ADDRESS}", ["health"]),
        ("치매 진단을 받으신 아버지 {NAME} 님의 장기요양 신청을 하려고 합니다.", ["health"]),
        "병원비 카드 결제 취소해 주세요. 카드번호 {CARD}, 승인일 {DATE}",
        ("{NAME} 씨 알레르기 있다고 차트에 적어 주세요.", ["health"]),
        ("응급실 내원 환자 {NAME}, 보호자 {NAME} 님 {MOBILE}", ["health"]),
    ],
    "bank": [
        "{BANK} {ACCOUNT}로 50만원 송금했는데 아직 안 들어왔대요.",
        "환불 계좌는 {BANK} {ACCOUNT}, 예금주 {NAME}입니다.",
        "카드 분실 신고합니다. 카드번호 {CARD}, 본인 연락처 {MOBILE}.",
        "신용카드 {CARD} 한도 상향 신청하려고요.",
        "제 계좌번호 {ACCOUNT} 잔액 확인해 주세요. {BANK}입니다.",
        "대출 신청자 {NAME}, 주민등록번호 {RRN}, 직장 주소 {ADDRESS}",
        "{NAME} 고객님의 {BANK} 계좌 {ACCOUNT}에서 자동이체가 실패했습니다.",
        "입금자명 {NAME}, 입금 계좌 {ACCOUNT} ({BANK})",
        "체크카드 {CARD_PLAIN} 재발급 요청",
        "Please transfer to my account {ACCOUNT} at {BANK}, account holder {NAME}.",
        "보이스피싱 의심 계좌 신고: {BANK} {ACCOUNT}, 상대방 번호 {MOBILE}",
        "통장 사본의 계좌번호가 {ACCOUNT_PLAIN}인데 {BANK} 맞나요?",
        "My credit card {CARD} was charged twice on {DATE}.",
        "예금주 {NAME} 님, {BANK} {ACCOUNT} 계좌가 휴면 처리되었습니다.",
        "외화 송금 수취인: {NAME}, 여권번호 {PASSPORT}, 주소 {ADDRESS}",
        "법인 계좌 개설 서류: 법인등록번호 {CRN}, 사업자등록번호 {BRN}, 대표자 {NAME}",
        "주민번호 {RRN}로 본인인증 했는데 실패했어요. 휴대폰은 {MOBILE}이에요.",
        "카드 결제 알림 문자 수신 번호를 {MOBILE}에서 {MOBILE}로 바꿔 주세요.",
    ],
    "sensitive": [
        ("노동조합 가입 신청서: 성명 {NAME}, 연락처 {MOBILE}, 소속 생산2팀", ["union"]),
        ("정당 당원 가입 확인 부탁드립니다. {NAME}, 주민등록번호 {RRN}", ["politics"]),
        ("범죄경력 회보서 발급 신청합니다. 신청인 {NAME}, {RRN}", ["criminal"]),
        ("출입 시스템에 지문 등록이 안 됩니다. 사용자 {EMAIL}", ["biometric"]),
        ("다문화가정 지원 신청: 신청인 {NAME}, 외국인등록번호 {ARN}", ["race"]),
        ("종교 활동 때문에 일요일 근무 조정 요청드립니다. {NAME} 사원", ["beliefs"]),
        ("성소수자 상담 센터 익명 상담 예약하고 싶어요. 연락은 {EMAIL}로만 주세요.", ["sex_life"]),
        ("얼굴 인식 출입 등록 사진을 {EMAIL}로 보냈습니다.", ["biometric"]),
        ("{NAME} 님 집행유예 기간 중 해외 출국 가능 여부 문의", ["criminal"]),
        ("교회 교인 명부 정리: {NAME} 집사님 {MOBILE}", ["beliefs"]),
    ],
    "company": [
        "주문번호 {ORDER} 배송지를 {ADDRESS}로 변경해 주세요. 받는 분은 {NAME}, 연락처 {MOBILE}입니다.",
        "{NAME}님, 주문하신 상품이 출고되었습니다. 운송장번호 {TRACKING}",
        "반품 접수했어요. 회수지 {ADDRESS}, 연락처 {PHONE}",
        "회원 정보 수정: 이메일 {EMAIL}, 휴대폰 {MOBILE}",
        "로그인이 안 돼요. 아이디는 {EMAIL}이고 접속 IP는 {IP}입니다.",
        "서버 {IP}에서 {IP}로 SSH 접속이 거부됩니다. 담당자 {NAME} 과장님 확인 부탁드립니다.",
        "보안 로그에 {IPV6} 주소에서 비정상 접근이 기록됐습니다.",
        "세금계산서 발행: 사업자등록번호 {BRN}, 담당자 이메일 {EMAIL}",
        "인사팀 {NAME} 대리입니다. 신규 입사자 주민등록번호 {RRN}와 계좌 {BANK} {ACCOUNT} 등록 부탁드려요.",
        "고객 {NAME} 님 요금제 변경 요청, 회선 번호 {MOBILE}",
        "안녕하세요 {NAME} 고객님, 결제하신 카드 {CARD}의 승인이 취소되었습니다.",
        "택배 기사님이 {MOBILE}로 연락 주신다고 했는데 연락이 없어요.",
        "설치 기사 방문 주소는 {ADDRESS}이고 {LANDLINE}로 전화 주세요.",
        "Hi, I'm {NAME}. Please ship to {ADDRESS}. My email is {EMAIL}.",
        "Customer {NAME} reported login failures from IP {IP} at {TIME}.",
        "VPN 접속 기록: 사용자 {EMAIL}, 출발지 {IP}, 시각 {TIME}",
        "프리랜서 계약서에 주민등록번호 {RRN}, 계좌 {ACCOUNT} ({BANK}), 주소 {ADDRESS} 기재했습니다.",
        "경품 당첨자 {NAME} 님께 {MOBILE}로 연락드렸습니다.",
        "사내 메신저 계정 {EMAIL} 비밀번호 초기화 요청합니다. 사번은 필요 없죠?",
        "인터넷 전화 {VOIP} 착신 전환 해주세요.",
        "정기배송 주소를 {LOT_ADDRESS}에서 {ADDRESS}로 바꿔 주세요.",
        "영업팀 {NAME} 팀장 휴대폰 {MOBILE}, 회사 이메일 {EMAIL}",
        "Our new office: {ADDRESS}. Contact {NAME} at {PHONE_INTL}.",
        "쿠폰 발송 대상: {NAME}({EMAIL}), {NAME}({EMAIL})",
    ],
}

# The second batch: other phrasings, other name pool, more formats. Measured before any tuning
# on it (see Fixtures/README.md), then kept in the corpus.
TEMPLATES_2 = {
    "government": [
        "안녕하세요. 제 이름은 {NAME}이고요, 주민번호는 {RRN}입니다. 건강보험 자격 확인 부탁드려요.",
        "전 {NAME}인데요 여권 만료일이 언제인지 궁금해요. 여권 번호: {PASSPORT}",
        "[민원] 신청인: {NAME} / 연락처: {MOBILE} / 주소: {ADDRESS}",
        "아버지 성함은 {NAME}, 주민등록번호 {RRN}, 어머니 성함은 {NAME}입니다.",
        "운전면허번호({DL})로 본인확인이 되나요?",
        "사업자등록증상 대표자는 {NAME}이고 등록번호는 {BRN}입니다.",
        "외국인 근로자 {NAME}의 외국인등록번호가 {ARN}로 되어 있는데 맞나요?",
        "우편물 받을 주소: {ADDRESS}. 수령인 {NAME}.",
        "휴대폰:{MOBILE} 집:{LANDLINE}",
        "본인 명의 휴대폰 {PHONE}으로 인증번호가 안 와요.",
    ],
    "hospital": [
        ("{NAME}님 {DATE} 오후 3시 정형외과 예약되어 있습니다. 변경은 {LANDLINE}로 연락 주세요.", ["health"]),
        "보호자분 성함과 연락처 남겨주세요 → {NAME} / {MOBILE}",
        ("{NAME} 환자 혈압약 복용 중, 주민번호 {RRN}", ["health"]),
        ("진료 예약 변경: {NAME}({N}세), 휴대전화 {PHONE}", ["health"]),
        "검사 결과를 이메일({EMAIL})로 받아볼 수 있나요?",
        "Dear {NAME}, your appointment is confirmed. Call {LANDLINE} to reschedule.",
        ("{NAME} 님, 처방전이 {EMAIL} 주소로 발송되었습니다.", ["health"]),
        ("어머니 {NAME} 님 입원 중인데 면회 가능한 시간 알려주세요.", ["health"]),
    ],
    "bank": [
        "{BANK} {ACCOUNT} 예금주 {NAME}으로 보내주시면 됩니다.",
        "카드 뒷면 번호 말고 앞면 번호 {CARD}만 알려드리면 되죠?",
        "{NAME} 님 명의 계좌({ACCOUNT})로 환불 처리 완료되었습니다.",
        "송금할 곳: {BANK} / {ACCOUNT} / {NAME}",
        "Card ending? Full number is {CARD}, holder {NAME}.",
        "전세 보증금 반환 계좌: {ACCOUNT} ({BANK}, 예금주 {NAME})",
        "내 카드 {CARD_PLAIN} 해외결제 차단해줘",
    ],
    "company": [
        "안녕하세요, {NAME} 고객님! 주문하신 상품이 {DATE}에 도착 예정입니다. 문의: {COMPANY_PHONE}",
        "수신: {NAME} 님 ({EMAIL})",
        "배송지 변경 부탁드려요 {ADDRESS}",
        "받는사람 {NAME} 010 번호는 {MOBILE}",
        "재택근무자 {NAME} 님 VPN 접속 IP가 {IP}로 찍혀요.",
        "방화벽 로그: src={IP} dst={IP} 차단",
        "계약 담당자: {NAME} 과장 ({EMAIL}, {LANDLINE})",
        "제 전화번호 바뀌었어요. {MOBILE}로 저장해 주세요.",
        "로그인 알림: {DATE} {TIME} {IPV6}에서 로그인",
        "@{NAME} 님, 회의록은 {EMAIL}으로 보내드렸어요.",
        "Shipping address: {ADDRESS}, recipient {NAME}, phone {PHONE}",
        "사업자 정보: 상호 누리상사, 사업자등록번호 {BRN}, 법인등록번호 {CRN}, 대표 {NAME}",
    ],
}

# The third batch: names without a title or label next to them, as people write in chat, and
# a few more formats. Also measured before any change for it.
TEMPLATES_3 = {
    "chat": [
        "어제 {NAME|이|가} 보낸 메일 확인했어? 회신은 {EMAIL}로 하면 돼.",
        "{NAME}한테 {MOBILE}로 전화 좀 해달라고 전해줘.",
        "이번 프로젝트는 {NAME|과|와} {NAME|이|가} 맡기로 했어요.",
        "{NAME}의 생일 선물로 뭐가 좋을까?",
        "회의록 작성자는 {NAME}, 검토자는 {NAME}입니다.",
        "{NAME}도 같이 갈 수 있대. 집이 {ADDRESS}라서 가까워.",
        "팀장님이 {NAME}에게 보고서 다시 쓰라고 하셨어요.",
        "{NAME|이랑|랑} {NAME} 둘 다 오늘 재택이에요.",
        "Can you forward this to {NAME}? Her number is {MOBILE}.",
        "{NAME}: 내일 {TIME}에 {ADDRESS} 앞에서 봬요. 연락은 {PHONE}",
        "국민 {ACCOUNT_KB}로 회비 보내주세요, 총무 {NAME}",
        "ip {IP} 쪽 서버 담당이 {NAME|이에요|예요}.",
    ],
}
NEGATIVES_3 = [
    "그럴 이유나 필요가 있을까요?",
    "이번에 정해진 사항은 다음과 같습니다.",
    "조지아 여행 일정표 공유합니다.",
    "하나만 더 주문할게요, 정말 맛있네요.",
    "우리 팀은 {DATE}까지 보고서를 제출합니다.",
    "고민이 많아서 잠을 못 잤어요.",
    "신고 접수는 {COMPANY_PHONE}에서 받습니다.",
    "전지 교체는 서비스센터에서 가능합니다.",
]

# Hard negatives: no personal data.
NEGATIVES = [
    "주문번호 {ORDER} 배송 언제 되나요?",
    "운송장 번호 {TRACKING} 조회가 안 됩니다.",
    "{DATE} {TIME}에 결제한 {PRICE} 환불해 주세요.",
    "앱 버전 {VERSION} 업데이트 후 로그인이 안 돼요.",
    "버전 {VERSION}에서 버그가 재현됩니다.",
    "Chrome {VERSION} 에서 화면이 깨집니다.",
    "상품 바코드 {BARCODE} 재고 확인 부탁드립니다.",
    "바코드 {BARCODE}, 가격 {PRICE}",
    "고객센터 {COMPANY_PHONE}로 문의해 주세요.",
    "대표번호 {COMPANY_PHONE} (평일 09:00~18:00)",
    "자세한 사항은 {COMPANY_PHONE} 으로 연락 바랍니다.",
    "주민번호 형식 예시인 {BAD_RRN} 은 유효하지 않은 번호입니다.",
    "테스트용 번호 {BAD_RRN_PLAIN}로 가입이 되네요?",
    "회원번호 {BAD_RRN_PLAIN} 포인트 조회해 주세요.",
    "Kubernetes {VERSION} 에서 파드가 재시작됩니다.",
    "nginx {VERSION} 설정 파일 경로가 바뀌었나요?",
    "카드번호 {BAD_CARD} 가 유효하지 않다고 나와요.",
    "사업자번호 {BAD_BRN} 조회하니 없는 번호라고 나옵니다.",
    "모델명 {PRODUCT} 가격이 {PRICE}인가요?",
    "상품코드 {PRODUCT} 재입고 일정 알려주세요.",
    "인보이스 {INVOICE} 금액 {PRICE} 확인 바랍니다.",
    "고객님, 문의하신 내용은 담당 부서로 전달되었습니다.",
    ("선생님, 다음 진료는 {DATE}입니다.", ["health"]),
    "이번 주 금요일 {TIME}에 회의가 있습니다.",
    "정부 지원금 신청 기간은 {DATE}까지입니다.",
    "김치찌개 {N}인분 주문할게요. 가격은 {PRICE}죠?",
    "이상한 문자가 와서 고객센터 {COMPANY_PHONE}에 신고했어요.",
    "강남역 {N}번 출구 앞에서 만나요.",
    "서울 날씨가 내일 {N}도까지 오른대요.",
    "지하철 2호선 {N}번째 칸에 우산을 두고 내렸어요.",
    "회의실 {N}층 {N}호는 예약이 찼습니다.",
    "Kubernetes {VERSION} 클러스터 업그레이드 일정 공유드립니다.",
    "firmware {VERSION} 배포 완료, 다음 빌드는 {VERSION} 입니다.",
    "주문 {N}건, 총 {PRICE}, 결제일 {DATE}",
    "택배 송장 {TRACKING}, 배송 예정일 {DATE}",
    "예약번호 {ORDER}로 {DATE} 체크인 예정입니다.",
    "접수번호 {ORDER}의 처리 상태가 궁금합니다.",
    "ISBN 978{BARCODE}은 없는 책인가요?",
    "사무실 이전 안내: 대표전화 {COMPANY_PHONE}은 그대로 사용합니다.",
    "결제 금액 {PRICE} 중 {PRICE}만 승인되었습니다.",
    "Order {ORDER} shipped on {DATE}, tracking {TRACKING}.",
    "Please update to version {VERSION} before {DATE}.",
    "Call our toll-free line {COMPANY_PHONE} for support.",
    "사용자님, 비밀번호는 8자 이상이어야 합니다.",
    "관리자님께 권한 요청을 보냈습니다.",
    "홍보 담당자에게 자료를 요청했습니다.",
    "이사님 일정은 {DATE} 이후로 잡아 주세요.",
    "신청자님의 서류가 접수되었습니다.",
    "주소 입력란에 도로명과 건물번호를 정확히 입력해 주세요.",
    "계좌 개설은 영업점 방문 없이 앱에서 가능합니다.",
    "카드 재발급 수수료는 {PRICE}입니다.",
    "여권 발급 수수료는 {PRICE}이며 {N}일 정도 걸립니다.",
    "Windows {VERSION} 보안 패치가 적용되었습니다.",
    "통계: {DATE} 기준 접속자 {N}만 명, 매출 {PRICE}",
    "시리얼 {PRODUCT}-{N} 제품 보증기간 문의",
    "{DATE} {TIME} 기준 재고 {N}개 남았습니다.",
    "전화번호 형식은 010-XXXX-XXXX 로 입력해 주세요.",
    "주민등록번호 뒷자리는 *******로 가려 주세요: 900101-1******",
    "고객 정보 조회 화면에서 오류가 납니다.",
    "환자 상태가 호전되었습니다.",
    "담당자 변경 요청드립니다.",
]

NEGATIVES_2 = [
    "이번 달 관리비 {PRICE} 납부 기한은 {DATE}입니다.",
    "SKU {PRODUCT} 재고 {N}개, 입고 예정 {DATE}",
    "택배 조회 번호 {TRACKING} 로 확인하니 배송 완료래요.",
    "버스 {N}번 타고 {N}정거장 가면 됩니다.",
    "서버 점검: {DATE} {TIME} ~ {TIME}, 버전 {VERSION} 배포",
    "주문 번호는 {ORDER}이고 결제 금액은 {PRICE}입니다.",
    "고객님의 소중한 의견 감사합니다.",
    "사장님, 오늘 매출이 {PRICE}입니다.",
    "선생님 말씀대로 다음 주에 다시 올게요.",
    "OS 업데이트 {VERSION} 이후 배터리가 빨리 닳아요.",
    "쿠폰 코드 {PRODUCT} 적용이 안 됩니다.",
    "영수증 번호 {ORDER}, 합계 {PRICE}",
    "{DATE} 부터 요금이 {PRICE}로 인상됩니다.",
    "전화 상담은 평일 {TIME}부터 가능합니다. 고객센터 {COMPANY_PHONE}",
]


def render(entry, domain, index, negative=False):
    template, sensitive = entry if isinstance(entry, tuple) else (entry, [])
    state = {}
    out = ""
    entities = []
    pos = 0
    for m in re.finditer(r"\{([A-Z_]+)(?:\|([^|}]*)\|([^|}]*))?\}", template):
        out += template[pos:m.start()]
        text, etype = value_for(m.group(1), state)
        if etype:
            entities.append({"type": etype, "start": len(out), "end": len(out) + len(text), "value": text})
        out += text
        if m.group(2) is not None:
            # A particle chosen by the last syllable's final consonant: {NAME|이|가}.
            out += m.group(2) if (ord(text[-1]) - 0xAC00) % 28 else m.group(3)
        pos = m.end()
    out += template[pos:]
    assert not (negative and entities)
    return {"id": f"{domain}-{index:04d}", "domain": domain, "text": out, "entities": entities,
            "sensitive": sorted(sensitive), "negative": negative}


def write_general_text(source, out_dir):
    """Korean text without personal data, for the false-positive test: the unique Hangul lines
    of the KoBEST v1 test sample (CC BY-SA 4.0; its licence note is copied beside it)."""
    lines = []
    seen = set()

    def walk(value):
        if isinstance(value, str):
            for line in value.split("\n"):
                line = line.strip()
                if len(line) >= 8 and any("\uac00" <= c <= "\ud7a3" for c in line) and line not in seen:
                    seen.add(line)
                    lines.append(line)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    with open(source, encoding="utf-8") as f:
        for row in f:
            walk(json.loads(row))
    (out_dir / "general-text-kobest.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    note = (Path(source).parent / "LICENSE-NOTE.md").read_text(encoding="utf-8")
    (out_dir / "general-text-kobest.LICENSE.md").write_text(
        note + "\n`general-text-kobest.txt` holds the unique lines with Hangul of every text field, made by "
        "scripts/make-pii-corpus.py.\n", encoding="utf-8")
    print(f"wrote {len(lines)} lines of general text to {out_dir / 'general-text-kobest.txt'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "Tests/NuriGuardTests/Fixtures/pii-corpus.jsonl"))
    parser.add_argument("--per-template", type=int, default=8, help="sentences per positive template")
    parser.add_argument("--per-negative", type=int, default=6, help="sentences per negative template")
    parser.add_argument("--kobest", default=str(Path(__file__).resolve().parent.parent.parent / "shared/data/kobest/kobest_v1_test_sample.jsonl"),
                        help="the KoBEST sample the general-text fixture is cut from (skipped when absent)")
    args = parser.parse_args()
    if Path(args.kobest).exists():
        write_general_text(args.kobest, Path(args.out).parent)
    rows = []
    for domain, templates in TEMPLATES.items():
        index = 0
        for template in templates:
            for _ in range(args.per_template):
                index += 1
                rows.append(render(template, domain, index))
    for index, template in enumerate(NEGATIVES * args.per_negative):
        rows.append(render(template, "negative", index + 1, negative=True))
    state_pool["given"] = GIVEN_RARE
    for domain, templates in TEMPLATES_2.items():
        index = 0
        for template in templates:
            for _ in range(args.per_template):
                index += 1
                rows.append(render(template, domain + "-b2", index))
    for index, template in enumerate(NEGATIVES_2 * args.per_negative):
        rows.append(render(template, "negative-b2", index + 1, negative=True))
    state_pool["given"] = GIVEN
    for domain, templates in TEMPLATES_3.items():
        index = 0
        for template in templates:
            for _ in range(args.per_template):
                index += 1
                rows.append(render(template, domain + "-b3", index))
    for index, template in enumerate(NEGATIVES_3 * args.per_negative):
        rows.append(render(template, "negative-b3", index + 1, negative=True))
    with open(args.out, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    positives = sum(1 for r in rows if not r["negative"])
    entities = sum(len(r["entities"]) for r in rows)
    print(f"wrote {len(rows)} sentences ({positives} with personal data, {len(rows) - positives} hard negatives), "
          f"{entities} entities to {args.out}")


if __name__ == "__main__":
    main()
