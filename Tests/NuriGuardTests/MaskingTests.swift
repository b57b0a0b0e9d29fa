import Testing
@testable import NuriGuard

/// The three masking modes, on the findings of a real scan.
@Suite("Masking")
struct MaskingTests {
    let scanner = PIIScanner()

    func mask(_ text: String, _ mode: MaskingMode) -> String {
        var masker = PIIMasker()
        return masker.mask(text, entities: scanner.scan(text).entities, mode: mode)
    }

    @Test("format-preserving: layout and harmless parts stay")
    func formatPreserving() {
        #expect(mask("주민번호 900101-1234568", .format) == "주민번호 900101-1******")
        #expect(mask("외국인등록번호 900101-5123452", .format) == "외국인등록번호 900101-5******")
        #expect(mask("연락처 010-1234-5678", .format) == "연락처 010-****-5678")
        #expect(mask("01012345678", .format) == "010****5678")
        #expect(mask("+82 10-1234-5678", .format) == "+82 10-****-5678")
        #expect(mask("카드 4111-1111-1111-1111", .format) == "카드 4111-11**-****-1111")
        #expect(mask("hong.gildong@example.com", .format) == "ho**********@example.com")
        #expect(mask("IP 192.168.10.23", .format) == "IP 192.168.**.**")
        #expect(mask("김민수 님", .format) == "김*수 님")
        #expect(mask("남궁민수 씨", .format) == "남궁*수 씨")
        #expect(mask("사업자 220-81-62517", .format) == "사업자 220-81-*****")
        #expect(mask("신한은행 110-123-456789", .format) == "신한은행 110-***-******")
        #expect(mask("서울특별시 강남구 테헤란로 152, 5층", .format) == "서울특별시 강남구 테헤란로 ***, *층")
        #expect(mask("여권번호 M12345678", .format) == "여권번호 M********")
    }

    @Test("placeholders name the type in Korean")
    func placeholders() {
        #expect(mask("김민수 님, 주민번호 900101-1234568, 010-1234-5678", .placeholder)
                == "[이름] 님, 주민번호 [주민등록번호], [전화번호]")
        #expect(mask("메일 a.b@example.com", .placeholder) == "메일 [이메일]")
    }

    @Test("pseudonyms: one per value within a request, across texts and spellings; restorable")
    func pseudonyms() {
        var masker = PIIMasker()
        let first = "김민수 님 연락처 010-1234-5678"
        let second = "김민수 님께 01012345678로 전화하고 이영희 님께도 알려주세요"
        let maskedFirst = masker.mask(first, entities: scanner.scan(first).entities, mode: .pseudonym)
        let maskedSecond = masker.mask(second, entities: scanner.scan(second).entities, mode: .pseudonym)
        #expect(maskedFirst == "[이름1] 님 연락처 [전화번호1]")
        #expect(maskedSecond == "[이름1] 님께 [전화번호1]로 전화하고 [이름2] 님께도 알려주세요")
        #expect(masker.pseudonyms["[이름2]"] == "이영희")
        #expect(masker.restore("[이름1]께 [이름2]의 번호 [전화번호1]") == "김민수께 이영희의 번호 010-1234-5678")
        // A new request starts over.
        var other = PIIMasker()
        #expect(other.mask("이영희 님", entities: scanner.scan("이영희 님").entities, mode: .pseudonym) == "[이름1] 님")
    }

    @Test("offsets are code points: masking next to emoji keeps them whole")
    func emoji() {
        #expect(mask("📞 010-1234-5678 👍", .placeholder) == "📞 [전화번호] 👍")
        #expect(mask("👨‍👩‍👧 김민수 님", .format) == "👨‍👩‍👧 김*수 님")
    }

    @Test("stale, out-of-range or overlapping spans are skipped, never trap")
    func badSpans() {
        var masker = PIIMasker()
        let spans = [
            PIIEntity(type: .phone, start: 2, end: 100, confidence: 1, rule: "x"),
            PIIEntity(type: .phone, start: -3, end: 1, confidence: 1, rule: "x"),
            PIIEntity(type: .phone, start: 1, end: 3, confidence: 1, rule: "x"),
            PIIEntity(type: .phone, start: 2, end: 4, confidence: 1, rule: "x"),
            PIIEntity(type: .phone, start: 4, end: 4, confidence: 1, rule: "x"),
        ]
        #expect(masker.mask("abcdef", entities: spans, mode: .placeholder) == "a[전화번호]def")
        #expect(masker.mask("", entities: spans, mode: .format) == "")
    }
}
