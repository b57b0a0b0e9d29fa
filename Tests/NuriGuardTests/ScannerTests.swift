import Testing
@testable import NuriGuard

/// What the scanner finds in sentences users write, type by type, and what it leaves alone.
@Suite("Scanner")
struct ScannerTests {
    let scanner = PIIScanner()

    @Test("RRN: checksum, post-2020 numbers by date and hyphen, no hyphen needs checksum or label")
    func residentNumbers() {
        #expect(scanner.found("주민번호 900101-1234568 입니다") == ["RRN:900101-1234568"])
        #expect(scanner.scan("900101-1234568").entities.first?.rule == "rrn.checksum")
        // Issued since October 2020: the tail is random, a valid date and 7th digit suffice with a hyphen.
        #expect(scanner.found("아이 번호는 210315-3999999") == ["RRN:210315-3999999"])
        #expect(scanner.scan("210315-3999999").entities.first?.rule == "rrn.date")
        // Without a hyphen: the checksum, or a label.
        #expect(scanner.found("9001011234568") == ["RRN:9001011234568"])
        #expect(scanner.found("9001011234567").isEmpty)
        #expect(scanner.found("주민등록번호 9001011234567") == ["RRN:9001011234567"])
        // Impossible dates and 7th digits.
        #expect(scanner.found("901301-1234567").isEmpty)
        #expect(scanner.found("900230-1234567").isEmpty)
        // Born in the 1800s (7th digit 9 or 0) only with a passed checksum.
        #expect(scanner.found("900101-9234567").isEmpty)
    }

    @Test("ARN: 7th digit 5–8, its own check digit")
    func alienNumbers() {
        #expect(scanner.found("외국인등록번호 900101-5123452") == ["ARN:900101-5123452"])
        #expect(scanner.scan("900101-5123452").entities.first?.rule == "arn.checksum")
        #expect(scanner.types("850315-6999999") == [.arn])
    }

    @Test("CRN is never taken for an RRN")
    func corporateNumbers() {
        // 7th digit 0 with a passed CRN check: a corporation.
        #expect(scanner.found("110111-0123458") == ["CRN:110111-0123458"])
        // Month 48 is no birth date: a corporation.
        #expect(scanner.found("134811-0001230") == ["CRN:134811-0001230"])
        // Looks like an RRN of 2011-01-11; the label decides.
        #expect(scanner.types("법인등록번호 110111-1234569") == [.crn])
        #expect(scanner.types("법인등록번호 110111-0123456").isEmpty)   // failed check, even with the label
    }

    @Test("BRN: hyphenated with a passed check; bare ten digits only after a label")
    func businessNumbers() {
        #expect(scanner.found("사업자 220-81-62517") == ["BRN:220-81-62517"])
        #expect(scanner.found("220-81-62518").isEmpty)
        #expect(scanner.found("2208162517").isEmpty)
        #expect(scanner.found("사업자등록번호 2208162517") == ["BRN:2208162517"])
    }

    @Test("phones: mobile, +82, landlines, parentheses; not company numbers")
    func phones() {
        #expect(scanner.found("연락처 010-1234-5678로 주세요") == ["PHONE:010-1234-5678"])
        #expect(scanner.found("01012345678") == ["PHONE:01012345678"])
        #expect(scanner.found("010 1234 5678") == ["PHONE:010 1234 5678"])
        #expect(scanner.found("010.1234.5678") == ["PHONE:010.1234.5678"])
        #expect(scanner.found("011-234-5678") == ["PHONE:011-234-5678"])
        #expect(scanner.found("+82 10-1234-5678") == ["PHONE:+82 10-1234-5678"])
        #expect(scanner.found("+82-10-1234-5678") == ["PHONE:+82-10-1234-5678"])
        #expect(scanner.found("+821012345678") == ["PHONE:+821012345678"])
        #expect(scanner.found("02-123-4567") == ["PHONE:02-123-4567"])
        #expect(scanner.found("(02) 123-4567") == ["PHONE:(02) 123-4567"])
        #expect(scanner.found("031)123-4567") == ["PHONE:031)123-4567"])
        #expect(scanner.found("070-1234-5678") == ["PHONE:070-1234-5678"])
        for company in ["1588-1234", "1644-5678", "1800-1234", "080-123-4567", "0505-123-4567", "15881234"] {
            #expect(scanner.found("문의 \(company)").isEmpty, "\(company)")
        }
        #expect(scanner.found("대표번호 02-123-4567").isEmpty)
        #expect(scanner.found("010-1234 5678").isEmpty)     // mixed separators
        #expect(scanner.found("010-123-4567").isEmpty)      // 010 has a 4-digit exchange
    }

    @Test("cards: Luhn and prefix, printed groups or contiguous")
    func cards() {
        #expect(scanner.found("카드 4111-1111-1111-1111") == ["CARD:4111-1111-1111-1111"])
        #expect(scanner.found("4111 1111 1111 1111") == ["CARD:4111 1111 1111 1111"])
        #expect(scanner.found("3782-822463-10005") == ["CARD:3782-822463-10005"])
        #expect(scanner.found("4111111111111111") == ["CARD:4111111111111111"])
        #expect(scanner.found("4111-1111-1111-1112").isEmpty)
        #expect(scanner.found("1234-5678-9012-3456").isEmpty)
    }

    @Test("bank accounts need a bank or an account word")
    func bankAccounts() {
        #expect(scanner.found("신한은행 110-123-456789") == ["BANK_ACCOUNT:110-123-456789"])
        #expect(scanner.found("110-123-456789 (신한은행)로 보내주세요") == ["BANK_ACCOUNT:110-123-456789"])
        #expect(scanner.found("계좌번호 1002123456789") == ["BANK_ACCOUNT:1002123456789"])
        #expect(scanner.found("카카오뱅크 3333-01-1234567") == ["BANK_ACCOUNT:3333-01-1234567"])
        #expect(scanner.found("110-123-456789").isEmpty)
        #expect(scanner.found("주문번호 110-123-456789").isEmpty)
        // A phone number in a sentence that also mentions an account stays a phone number.
        #expect(scanner.types("계좌로 보내고 010-1234-5678로 문자 주세요") == [.phone])
    }

    @Test("passports: the new layout alone, the old one after 여권")
    func passports() {
        #expect(scanner.found("M123A4567") == ["PASSPORT:M123A4567"])
        #expect(scanner.found("여권번호 M12345678") == ["PASSPORT:M12345678"])
        #expect(scanner.found("passport no. S12345678") == ["PASSPORT:S12345678"])
        #expect(scanner.found("M12345678").isEmpty)
        #expect(scanner.found("모델명 M123A4567").isEmpty)
        #expect(scanner.found("X123A4567").isEmpty)
    }

    @Test("driver licences: region code, hyphens, or the region's name")
    func driverLicences() {
        #expect(scanner.found("11-12-123456-12") == ["DRIVER_LICENSE:11-12-123456-12"])
        #expect(scanner.found("면허번호 111212345612") == ["DRIVER_LICENSE:111212345612"])
        #expect(scanner.found("서울 14-123456-78") == ["DRIVER_LICENSE:서울 14-123456-78"])
        #expect(scanner.found("27-12-123456-12").isEmpty)
        #expect(scanner.found("111212345612").isEmpty)
    }

    @Test("e-mail addresses")
    func emails() {
        #expect(scanner.found("메일 hong.gildong@example.com으로") == ["EMAIL:hong.gildong@example.com"])
        #expect(scanner.found("<kim_90+news@mail.co.kr>") == ["EMAIL:kim_90+news@mail.co.kr"])
        #expect(scanner.found("ho***@example.com").isEmpty)
        #expect(scanner.found("a@b").isEmpty)
        #expect(scanner.found("a..b@example.com").isEmpty)
        #expect(scanner.found("@handle").isEmpty)
    }

    @Test("IP addresses, not versions or times")
    func ipAddresses() {
        #expect(scanner.found("IP 192.168.0.10 접속") == ["IP:192.168.0.10"])
        #expect(scanner.found("from 10.0.0.1:8080") == ["IP:10.0.0.1"])
        #expect(scanner.found("2001:db8::1") == ["IP:2001:db8::1"])
        #expect(scanner.found("fe80::1ff:fe23:4567:890a") == ["IP:fe80::1ff:fe23:4567:890a"])
        #expect(scanner.found("::1") == ["IP:::1"])
        #expect(scanner.found("2001:0db8:85a3:0000:0000:8a2e:0370:7334") == ["IP:2001:0db8:85a3:0000:0000:8a2e:0370:7334"])
        for notAnAddress in ["버전 4.2.1.0", "v1.2.3.4", "4.2.1.0 버전", "nginx 1.0.0.52", "1.2.3", "256.1.1.1", "01.2.3.4",
                             "12:30:45", "00:1A:2B:3C:4D:5E", "1.2.3.4.5", "0.1.2.3", "Windows 10.0.19045.4291"] {
            #expect(scanner.found(notAnAddress).isEmpty, "\(notAnAddress)")
        }
    }

    @Test("addresses: road names with building numbers and units, lot numbers")
    func addresses() {
        #expect(scanner.found("주소는 서울특별시 강남구 테헤란로 152, 5층 502호입니다")
                == ["ADDRESS:서울특별시 강남구 테헤란로 152, 5층 502호"])
        #expect(scanner.found("경기도 성남시 분당구 판교역로146번길 20 에이치스퀘어 N동 3층")
                == ["ADDRESS:경기도 성남시 분당구 판교역로146번길 20 에이치스퀘어 N동 3층"])
        #expect(scanner.found("세종특별자치시 도움6로 11") == ["ADDRESS:세종특별자치시 도움6로 11"])
        #expect(scanner.found("서울 관악구 신림동 123-45번지") == ["ADDRESS:서울 관악구 신림동 123-45번지"])
        #expect(scanner.found("마포구 양화로 45 (서교동)") == ["ADDRESS:마포구 양화로 45 (서교동)"])
        #expect(scanner.found("배송지: 테헤란로 152") == ["ADDRESS:테헤란로 152"])
        #expect(scanner.found("테헤란로 152").isEmpty)               // no district, no address word
        #expect(scanner.found("서울 강남구에 살아요").isEmpty)          // no road and number
        #expect(scanner.found("강남역 2번 출구, 2호선 3번째 칸").isEmpty)
    }

    @Test("names: title, label, role, self-introduction, details; not ordinary words")
    func names() {
        #expect(scanner.found("김민수 고객님, 안녕하세요") == ["PERSON:김민수"])
        #expect(scanner.found("홍길동님께서 전화하셨어요") == ["PERSON:홍길동"])
        #expect(scanner.found("이름은 이영희이고") == ["PERSON:이영희"])
        #expect(scanner.found("성명: 박지훈") == ["PERSON:박지훈"])
        #expect(scanner.found("남궁민수 씨") == ["PERSON:남궁민수"])
        #expect(scanner.found("담당 간호사 최유리입니다") == ["PERSON:최유리"])
        #expect(scanner.found("저는 정다은입니다") == ["PERSON:정다은"])
        #expect(scanner.found("환자 김철수(45세)") == ["PERSON:김철수"])
        #expect(scanner.found("My name is 윤서연") == ["PERSON:윤서연"])
        for ordinary in ["고객님 감사합니다", "선생님 안녕하세요", "이사님 일정", "신청자님의 서류가", "환자 상태가 좋아요",
                         "고객 정보 변경", "담당자 변경", "홍보 담당자", "장기요양 신청", "사용자님", "정부 지원금", "김치찌개 2인분"] {
            #expect(scanner.found(ordinary).isEmpty, "\(ordinary)")
        }
    }

    @Test("order and tracking numbers, dates, prices, versions, barcodes are not personal")
    func hardNegatives() {
        for text in ["주문번호 2024052112345678", "운송장 번호 6012-3456-7890", "2024-05-21 14:30", "₩1,250,000",
                     "15,900원", "v2.3.1", "버전 10.0.19045.4291", "바코드 8801234567893", "8801234567893",
                     "고객센터 1588-1234", "900101-1******", "010-XXXX-XXXX", "2024.05.21."] {
            #expect(scanner.found(text).isEmpty, "\(text)")
        }
    }

    @Test("offsets count code points, as Python does, around emoji and Hangul")
    func codePointOffsets() {
        // 👨‍👩‍👧 is five scalars (three people, two joiners); ☎️ is two.
        let text = "👨‍👩‍👧 가족 ☎️ 010-1234-5678 👍"
        let entity = scanner.scan(text).entities.first
        #expect(entity?.type == .phone)
        #expect(entity?.start == 12)
        #expect(entity?.end == 25)
        let flag = "🇰🇷주민번호:900101-1234568"   // the flag is two regional-indicator scalars
        #expect(scanner.scan(flag).entities.first?.start == 7)
        #expect(scanner.scan(flag).entities.first?.end == 21)
    }

    @Test("overlapping findings: the most confident, then the longest, wins; results are sorted")
    func overlaps() {
        var findings = [
            PIIEntity(type: .person, start: 10, end: 13, confidence: 0.7, rule: "a"),
            PIIEntity(type: .address, start: 5, end: 20, confidence: 0.9, rule: "b"),
            PIIEntity(type: .phone, start: 0, end: 4, confidence: 0.95, rule: "c"),
        ]
        PIIScanner.resolveOverlaps(&findings)
        #expect(findings.map(\.rule) == ["c", "b"])
    }

    @Test("configuration: types and minimum confidence filter the result")
    func configuration() {
        let text = "김민수 님 010-1234-5678, 210315-3999999"
        let phonesOnly = PIIScanner(configuration: ScannerConfiguration(types: [.phone]))
        #expect(phonesOnly.types(text) == [.phone])
        let sure = PIIScanner(configuration: ScannerConfiguration(minimumConfidence: 0.9))
        #expect(sure.types(text) == [.phone])
        let noSensitive = PIIScanner(configuration: ScannerConfiguration(detectsSensitiveCategories: false))
        #expect(noSensitive.scan("당뇨 진단").sensitiveCategories.isEmpty)
    }

    @Test("sensitive categories from context terms, not from ordinary words that contain them")
    func sensitiveCategories() {
        #expect(scanner.scan("당뇨 진단을 받았어요").sensitiveCategories == [.health])
        #expect(scanner.scan("노조 가입 신청").sensitiveCategories == [.union])
        #expect(scanner.scan("교회 다니는 분").sensitiveCategories == [.beliefs])
        #expect(scanner.scan("지지 정당이 어디세요").sensitiveCategories == [.politics])
        #expect(scanner.scan("범죄경력 회보서").sensitiveCategories == [.criminal])
        #expect(scanner.scan("지문 등록").sensitiveCategories == [.biometric])
        #expect(scanner.scan("유전자 검사").sensitiveCategories == [.genetic])
        #expect(scanner.scan("인종 차별").sensitiveCategories == [.race])
        #expect(scanner.scan("성적 지향").sensitiveCategories == [.sexLife])
        #expect(scanner.scan("위암 수술").sensitiveCategories == [.health])
        #expect(scanner.scan("암 진단").sensitiveCategories == [.health])
        for ordinary in ["암호를 잊었어요", "게이트 3번", "전과목 A", "사상 최대 실적", "시스템 점검"] {
            #expect(scanner.scan(ordinary).sensitiveCategories.isEmpty, "\(ordinary)")
        }
    }

    @Test("one scanner serves concurrent requests with the same answers")
    func concurrentUse() async {
        let texts = (0..<64).map { "고객 \($0)번 김민수 님 010-1234-\(1000 + $0) 당뇨" }
        let shared = scanner
        let expected = texts.map { shared.scan($0) }
        let results = await withTaskGroup(of: (Int, ScanResult).self) { group in
            for (index, text) in texts.enumerated() { group.addTask { (index, shared.scan(text)) } }
            var results = [ScanResult?](repeating: nil, count: texts.count)
            for await (index, result) in group { results[index] = result }
            return results
        }
        #expect(results == expected)
    }
}
