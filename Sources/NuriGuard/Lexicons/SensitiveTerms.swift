/// Terms of the sensitive categories of PIPA Art. 23 (and Enforcement Decree Art. 18). A text
/// is flagged with a category when one of its terms occurs; the flag needs a `sensitive`
/// consent downstream. Short terms that occur inside ordinary words (암 in 암호, 게이 in 게이트,
/// 전과 in 전과목) must stand as words or are overridden by the longer ordinary word.
enum SensitiveTerms {
    static let byCategory: [(SensitiveCategory, [String])] = [
        (.health, [
            "질병", "질환", "병력", "진단", "진단서", "진료", "진료기록", "처방", "처방전", "투약", "복용", "입원", "퇴원",
            "수술", "치료", "위암", "폐암", "유방암", "간암", "대장암", "갑상선암", "췌장암", "자궁경부암", "전립선암", "혈액암",
            "항암", "암환자", "암 환자", "암 진단", "암진단", "암 투병", "암투병", "암 수술", "암수술", "당뇨", "고혈압", "우울증",
            "공황장애", "조현병", "양극성", "치매", "뇌졸중", "심근경색", "협심증", "천식", "결핵", "간염", "에이즈", "정신과",
            "정신질환", "장애인", "장애등급", "장애 등급", "장애 판정", "청각장애", "시각장애", "지체장애", "발달장애", "자폐",
            "임신", "출산", "난임", "불임", "알레르기", "알러지", "확진", "건강검진", "검진 결과", "혈압", "혈당", "투석",
            "산부인과", "비뇨기과", "정신건강의학과", "중독", "응급실", "실손보험", "실손", "채혈", "정형외과", "신경외과", "내과", "치과", "이비인후과", "피부과",
            "소아과", "소아청소년과", "재활의학과", "혈압약", "수면제", "항우울제", "diagnosis", "prescription", "diabetes", "cancer", "depression",
            "medication", "hiv", "pregnant", "pregnancy",
        ]),
        (.beliefs, [
            "종교", "신앙", "기독교", "개신교", "천주교", "가톨릭", "불교", "원불교", "이슬람", "무슬림", "힌두교", "유대교",
            "교회", "성당", "사찰", "신자", "교인", "세례", "예배", "신념", "무신론", "양심적 병역거부", "religion",
            "christian", "buddhist", "muslim", "religious",
        ]),
        (.union, [
            "노동조합", "노조", "노조원", "노동조합원", "민주노총", "한국노총", "파업", "단체교섭", "노조활동", "노조 활동",
            "labor union", "trade union", "union member",
        ]),
        (.politics, [
            "정당", "당원", "지지 정당", "지지정당", "정치 성향", "정치성향", "정치적 견해", "더불어민주당", "민주당", "국민의힘",
            "정의당", "조국혁신당", "개혁신당", "진보당", "투표", "지지하는 후보", "political party", "party member",
        ]),
        (.sexLife, [
            "성생활", "성적 지향", "성적지향", "성적 취향", "동성애", "동성애자", "양성애", "성소수자", "레즈비언", "트랜스젠더",
            "성전환", "성병", "성관계", "성매매", "커밍아웃", "lgbt", "sexual orientation", "gay", "lesbian",
        ]),
        (.genetic, [
            "유전자", "유전정보", "유전 정보", "유전체", "유전병", "유전질환", "유전 질환", "dna", "염색체", "친자확인",
            "친자 확인", "brca", "genetic",
        ]),
        (.criminal, [
            "전과자", "전과 기록", "전과기록", "범죄경력", "범죄 경력", "범죄기록", "범죄 기록", "수사경력", "형사처벌",
            "벌금형", "징역", "집행유예", "실형", "구속", "기소", "체포", "수감", "출소", "복역", "보호관찰", "전자발찌",
            "성범죄", "음주운전", "마약", "사기죄", "유죄", "criminal record", "conviction", "convicted",
        ]),
        (.biometric, [
            "지문", "홍채", "안면인식", "안면 인식", "얼굴인식", "얼굴 인식", "정맥 인식", "정맥인식", "생체정보", "생체 정보",
            "생체인식", "생체 인식", "성문 인식", "fingerprint", "iris scan", "face id", "faceid", "biometric",
        ]),
        (.race, [
            "인종", "민족", "흑인", "백인", "혼혈", "다문화 가정", "다문화가정", "race", "ethnicity", "ethnic",
        ]),
    ]

    /// Whole-word short terms: they count only standing alone (with a particle at most).
    static let wholeWords: [(SensitiveCategory, [String])] = [
        (.health, ["암", "암이", "암을", "암으로", "암은", "암에"]),
        (.sexLife, ["게이", "게이라", "게이인", "게이로", "게이야", "게이예요"]),
        (.criminal, ["전과", "전과가", "전과는", "전과를", "전과도"]),
    ]

    /// Ordinary words that hide a sensitive term inside them.
    static let ordinaryWords: [String] = [
        "암호", "암기", "암시", "암산", "암살", "암석", "암컷", "암흑", "암묵", "암튼", "게이트", "게이밍", "게이머",
        "전과목", "사상최대", "유산균", "진단키트", "자가진단", "지문을 읽", "지문 읽", "투표율", "인종차별금지", "리버스",
    ]

    static let terms: [TermDictionary.Term] = {
        var terms: [TermDictionary.Term] = []
        for (category, words) in byCategory { terms += words.map { .init($0, .sensitive(category)) } }
        for (category, words) in wholeWords { terms += words.map { .init($0, .sensitive(category), wordStart: true, wordEnd: true) } }
        terms += ordinaryWords.map { .init($0, .ordinaryWord) }
        return terms
    }()
}
