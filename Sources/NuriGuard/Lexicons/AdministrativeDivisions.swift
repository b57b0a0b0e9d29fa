/// Korea's administrative divisions as addresses write them: the 17 provinces and metropolitan
/// cities (서울특별시, 서울시, 서울), and the suffixes of the lower levels (시, 군, 구, 읍, 면,
/// 동, 리, 가) and of road names (로, 길).
enum AdministrativeDivisions {
    /// Top-level divisions in their full, short and colloquial forms.
    static let provinces = HangulWordSet([
        "서울특별시", "서울시", "서울", "부산광역시", "부산시", "부산", "대구광역시", "대구시", "대구", "인천광역시",
        "인천시", "인천", "광주광역시", "광주시", "광주", "대전광역시", "대전시", "대전", "울산광역시", "울산시", "울산",
        "세종특별자치시", "세종시", "세종", "경기도", "경기", "강원특별자치도", "강원도", "강원", "충청북도", "충북",
        "충청남도", "충남", "전북특별자치도", "전라북도", "전북", "전라남도", "전남", "경상북도", "경북", "경상남도", "경남",
        "제주특별자치도", "제주도", "제주",
    ])

    /// Region names printed on driver licences before the number.
    static let licenceRegions = HangulWordSet([
        "서울", "부산", "경기", "강원", "충북", "충남", "전북", "전남", "경북", "경남", "제주", "대구", "인천", "광주",
        "대전", "울산", "경기남부", "경기북부",
    ])

    /// Words ending in 시/군/구/읍/면/동/리 that are not place names.
    static let notPlaces = HangulWordSet([
        "연구", "요구", "친구", "입구", "출구", "도구", "가구", "지구", "전구", "탐구", "추구", "구구", "당시", "표시", "동시",
        "역시", "다시", "혹시", "수시", "임시", "즉시", "게시", "제시", "개시", "잠시", "일시", "지시", "무시", "감시", "육군",
        "해군", "공군", "아군", "장군", "대군", "미군", "국군", "이면", "측면", "전면", "후면", "정면", "화면", "표면", "양면",
        "방면", "장면", "단면", "이동", "행동", "활동", "자동", "변동", "운동", "노동", "공동", "감동", "연동", "작동", "출동",
        "이리", "관리", "처리", "정리", "수리", "무리", "거리", "요리", "소리", "머리", "자리", "우리", "다리", "마리",
        "국가", "평가", "추가", "증가", "참가", "휴가", "대가", "작가", "전문가", "가가", "누가", "부가", "시가", "원가",
    ])

    enum Level: Int, Comparable {
        case province = 0, city, district, town
        static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The level of the administrative word `text[start..<end]` (not a road), from the list of
    /// provinces or its last syllable.
    static func level(_ text: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int) -> Level? {
        let length = end - start
        guard length >= 2, length <= 7 else { return nil }
        if provinces.contains(text, start, end) { return .province }
        guard length <= 6 else { return nil }
        let lastSyllable = text[end - 1]
        guard lastSyllable == 0xC2DC || lastSyllable == 0xAD70 || lastSyllable == 0xAD6C || lastSyllable == 0xC74D
                || lastSyllable == 0xBA74, !notPlaces.contains(text, start, end) else { return nil }
        switch lastSyllable {
        case 0xC2DC: return .city                // 시
        case 0xAD70, 0xAD6C: return .district    // 군, 구
        default: return .town                    // 읍, 면
        }
    }

    /// 동, 리 or 가: the neighbourhood of a lot-number address (역삼동 123-4).
    static func isNeighbourhood(lastSyllable: UInt32) -> Bool {
        lastSyllable == 0xB3D9 || lastSyllable == 0xB9AC || lastSyllable == 0xAC00   // 동 리 가
    }

    /// 로 or 길: a road name (테헤란로, 판교역로, 성미산로1길).
    static func isRoad(lastSyllable: UInt32) -> Bool {
        lastSyllable == 0xB85C || lastSyllable == 0xAE38   // 로 길
    }
}
