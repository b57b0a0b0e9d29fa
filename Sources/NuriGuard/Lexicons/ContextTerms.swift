/// The words that say what a nearby number is: labels (주민등록번호, 계좌, 연락처), bank names,
/// and the words after which a number is not about a person (주문번호, 운송장, 버전, 대표번호).
/// ASCII terms match case-insensitively and only as whole words.
enum ContextTerms {
    static let labels: [(PIIEntityType, [String])] = [
        (.rrn, ["주민등록번호", "주민번호", "주민등록", "주민 번호", "주민등록 번호", "주민등록증", "resident registration", "rrn"]),
        (.arn, ["외국인등록번호", "외국인번호", "외국인 등록번호", "외국인등록증", "외국인 등록증", "외국인등록", "alien registration", "arc"]),
        (.crn, ["법인등록번호", "법인번호", "법인 등록번호", "법인 번호", "corporate registration"]),
        (.brn, ["사업자등록번호", "사업자번호", "사업자 등록번호", "사업자 번호", "사업자등록", "사업자", "business registration", "business number"]),
        (.passport, ["여권번호", "여권 번호", "여권", "passport"]),
        (.driverLicense, ["운전면허번호", "운전면허 번호", "면허번호", "면허 번호", "운전면허증", "운전면허", "면허증", "driver license", "driver's license", "driving licence", "driving license", "license no", "licence no"]),
        (.phone, ["전화번호", "전화", "연락처", "휴대폰", "핸드폰", "휴대전화", "폰번호", "휴대폰번호", "핸드폰번호", "집전화", "자택전화", "유선전화", "문자", "tel", "phone", "mobile", "cell", "contact"]),
        (.card, ["카드번호", "카드 번호", "카드", "신용카드", "체크카드", "card number", "credit card", "card no", "card"]),
        (.bankAccount, ["계좌번호", "계좌 번호", "계좌", "입금", "송금", "이체", "통장", "환불계좌", "account number", "account no", "account", "acct", "bank account"]),
        (.email, ["이메일", "메일", "email", "e-mail"]),
        (.ip, ["아이피", "ip", "ip address", "접속 ip", "접속기록", "접속 기록"]),
        (.address, ["주소", "배송지", "거주지", "자택", "주소지", "사는 곳", "사는곳", "집 주소", "소재지", "도로명", "address"]),
        (.person, [
            "이름", "성명", "성함", "환자명", "환자", "고객명", "고객", "예금주", "수취인", "받는 분", "받는분", "받는 사람",
            "받는사람", "신청인", "민원인", "보호자", "담당자", "대표자", "작성자", "계약자", "피보험자", "수신인", "발신인",
            "의뢰인", "보낸 사람", "보내는 분", "신청자", "가입자", "명의자", "세대주", "직원", "학생", "예약자", "주문자",
            "구매자", "방문자", "입금자", "입금자명", "송금인", "수령인", "수령자", "접수자", "등록자", "이용자", "사용자",
            "name", "name is", "my name is", "i'm", "i am", "patient", "customer", "applicant", "account holder", "holder",
            "dear", "mr", "mrs", "ms", "dr", "attn",
        ]),
    ]

    /// Bank names: context for an account number before or after them.
    static let banks: [String] = [
        "은행", "국민은행", "kb국민", "kb", "신한", "신한은행", "우리은행", "하나은행", "농협", "농협은행", "nh", "nh농협",
        "기업은행", "ibk", "카카오뱅크", "카뱅", "케이뱅크", "토스뱅크", "토스", "우체국", "새마을금고", "새마을", "수협",
        "신협", "부산은행", "대구은행", "경남은행", "광주은행", "전북은행", "제주은행", "sc제일", "제일은행", "씨티은행",
        "씨티", "산업은행", "저축은행", "bank",
    ]

    /// Short bank names that are also ordinary words (국민, 하나, 우리): only as whole words.
    static let shortBanks: [String] = ["국민", "기업", "하나", "우리", "씨티", "sc", "kb", "nh"]

    /// After these, a number is an order, a parcel, a product, a document or a company line.
    static let notPersonal: [String] = [
        "주문번호", "주문 번호", "운송장", "운송장번호", "송장번호", "송장", "배송조회", "추적번호",
        "접수번호", "예약번호", "티켓번호", "승인번호", "거래번호", "결제번호", "영수증", "영수증번호", "상품번호",
        "상품코드", "제품번호", "모델명", "모델", "일련번호", "시리얼", "바코드", "품번", "사번", "학번", "회원번호",
        "고객번호", "관리번호", "문서번호", "공문번호", "사건번호", "민원번호", "신청번호", "등기번호", "우편번호",
        "대표번호", "대표전화", "고객센터", "콜센터", "상담센터", "고객상담실", "고객지원", "팩스", "ars", "가격", "금액",
        "결제금액", "order", "order no", "order number", "tracking", "tracking number", "invoice", "sku", "serial",
        "barcode", "ticket", "ref", "reference", "fax", "isbn", "price",
    ]

    /// After these, a dotted number is a software version.
    static let versions: [String] = [
        "버전", "버젼", "version", "ver", "펌웨어", "firmware", "빌드", "build", "릴리스", "release", "업데이트",
        "update", "패치", "patch", "안드로이드", "android", "ios", "os", "크롬", "chrome", "python", "파이썬", "node",
        "자바", "java", "커널", "kernel", "앱", "app", "sdk", "api", "windows", "윈도우",
    ]

    /// Every context term, with the sensitive ones, in one dictionary.
    static let dictionary: TermDictionary = {
        var terms: [TermDictionary.Term] = []
        for (type, words) in labels { terms += words.map { .init($0, .label(type)) } }
        terms += banks.map { .init($0, .bank) }
        terms += shortBanks.map { .init($0, .bank, wordStart: true, wordEnd: true) }
        terms += notPersonal.map { .init($0, .notPersonal) }
        terms += versions.map { .init($0, .version) }
        terms += SensitiveTerms.terms
        return TermDictionary(terms)
    }()
}
