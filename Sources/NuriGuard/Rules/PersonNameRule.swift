/// Korean personal names: a surname (one syllable, or one of the two-syllable 복성) and a given
/// name of one or two syllables common in names, which is not an ordinary word. A name alone is
/// ambiguous (정부, 이상, 김치), so one of these contexts must say it is a person:
///
/// - `person.title`: a title right after it, attached or as the next word — 김민수님,
///   홍길동 씨, 박지훈 고객님, 이영희 환자, 최유리 선생님;
/// - `person.label`: a word naming a person before it — 이름은 홍길동이고, 성명: 김민수,
///   예금주 박지훈, 환자 이영희, Name: 정다은;
/// - `person.role`: a role word alone before a three-syllable name (or a two-syllable one that
///   ends the clause) — 담당 간호사 박지은, 상담원 최유리입니다, 대표 석란.;
/// - `person.intro`: a self-introduction — 저는 김민수입니다;
/// - `person.detail`: an age, sex or identifier right after it — 김민수(45세), 이영희 (여, 32),
///   박지훈(jh@example.com), 노지훈, 900716-2931252, 연가은, 주민등록번호 …;
/// - `person.speaker`: a name opening a line, then a colon, as in chat logs — 김민수: 네;
/// - `person.common_name`: no context, but one of the most common given names after a surname
///   and a particle at most — 김민준이 보낸 메일, 이서연한테 전해줘 (lower confidence).
enum PersonNameRule {
    static func scan(_ context: inout ScanContext) {
        let tokens = context.tokens
        let found = context.findings.count
        for index in tokens.indices where tokens[index].kind == .hangul {
            // Words of an address (유성구, 서초구) are not names.
            let start = tokens[index].start
            if found > 0, context.findings[0..<found].contains(where: { $0.type == .address && $0.start <= start && start < $0.end }) {
                continue
            }
            if let entity = match(at: index, in: context) {
                context.findings.append(entity)
            }
        }
    }

    /// Whether an identifier (not an address or IP) found by the earlier rules starts at `position`.
    private static func identifierStarts(at position: Int, in context: ScanContext) -> Bool {
        context.findings.contains { $0.start == position && $0.type != .address && $0.type != .ip && $0.type != .person }
    }

    private static func match(at index: Int, in context: ScanContext) -> PIIEntity? {
        let text = context.text
        let token = context.tokens[index]
        let start = token.start
        // Every rule needs a surname and a given-name syllable after it: most words stop here.
        guard token.length >= 2 else { return nil }
        let double = KoreanSurnames.isDouble(text, at: start)
        guard double || KoreanSurnames.isSingle(text[start]) else { return nil }
        guard PersonNameLexicon.isGivenSyllable(text[start + 1]) || (double && token.length >= 3) else { return nil }

        // Title attached: 김민수님, 홍길동씨께서, 박지훈고객님.
        for length in lengths(text, start) where start + length < token.end && isName(text, start, length) {
            if PersonNameLexicon.titleLength(text, at: start + length, end: token.end) > 0 {
                return PIIEntity(type: .person, start: start, end: start + length, confidence: 0.85, rule: "person.title")
            }
        }
        // Title as the next word: 김민수 님, 박지훈 고객님께서.
        if index + 1 < context.tokens.count, isName(text, start, token.length) {
            let next = context.tokens[index + 1]
            if next.kind == .hangul, next.spaceBefore {
                let title = PersonNameLexicon.titleLength(text, at: next.start, end: next.end, separate: true)
                // 양 and 군 are also words (양의 정수, 육군): a three-syllable name, no 의.
                let shortTitle = title == 1 && (text[next.start] == 0xC591 || text[next.start] == 0xAD70)
                let shortTitleFits = !shortTitle || (token.length >= 3 && !(next.length == 2 && text[next.start + 1] == 0xC758))
                if title > 0, shortTitleFits, PersonNameLexicon.endings.contains(text, next.start + title, next.end) {
                    return PIIEntity(type: .person, start: start, end: token.end, confidence: 0.85, rule: "person.title")
                }
            }
            if let entity = beforeDetail(index, in: context) { return entity }
        }
        // After a label or a role word.
        switch contextBefore(index, in: context) {
        case .label:
            if let length = nameWithEnding(text, token, minimum: 2) {
                return PIIEntity(type: .person, start: start, end: start + length, confidence: 0.85, rule: "person.label")
            }
        case .role:
            // Three syllables, or exactly two ending the clause (대표 석란.).
            let closesClause = index + 1 == context.tokens.count || context.tokens[index + 1].kind == .symbol
            let minimum = token.length == 2 && closesClause ? 2 : 3
            if let length = nameWithEnding(text, token, minimum: minimum) {
                return PIIEntity(type: .person, start: start, end: start + length, confidence: 0.75, rule: "person.role")
            }
        case .introduction:
            for length in lengths(text, start) where length < token.length && isName(text, start, length) {
                if PersonNameLexicon.copulas.contains(text, start + length, token.end) {
                    return PIIEntity(type: .person, start: start, end: start + length, confidence: 0.8, rule: "person.intro")
                }
            }
        case .afterIdentifier:
            if isName(text, start, token.length) {
                return PIIEntity(type: .person, start: start, end: token.end, confidence: 0.7, rule: "person.detail")
            }
        case .none:
            break
        }
        // A chat line's speaker: `김민수: 내일 봬요`.
        if token.end < text.count, text[token.end] == ScalarClass.colon, start == 0 || text[start - 1] == 0x0A,
           token.length >= 3, isName(text, start, token.length) {
            return PIIEntity(type: .person, start: start, end: token.end, confidence: 0.7, rule: "person.speaker")
        }
        if let length = commonName(text, token) {
            return PIIEntity(type: .person, start: start, end: start + length, confidence: 0.65, rule: "person.common_name")
        }
        return nil
    }

    /// The length of a surname and a common given name at the start of `token`, followed by a
    /// particle at most (김민준이 → 3).
    private static func commonName(_ text: UnsafeBufferPointer<UInt32>, _ token: Token) -> Int? {
        let start = token.start
        let surname = KoreanSurnames.isDouble(text, at: start) ? 2 : KoreanSurnames.isSingle(text[start]) ? 1 : 0
        let length = surname + 2
        guard surname > 0, length <= token.length,
              PersonNameLexicon.commonGivenNames.contains(text, start + surname, start + length),
              PersonNameLexicon.nameEndings.contains(text, start + length, token.end),
              !PersonNameLexicon.notNames.contains(text, start, start + length) else { return nil }
        return length
    }

    /// Name lengths to try at `start`, most likely first: 3 then 2 for a one-syllable surname,
    /// 4 then 3 for a two-syllable one.
    private static func lengths(_ text: UnsafeBufferPointer<UInt32>, _ start: Int) -> [Int] {
        KoreanSurnames.isDouble(text, at: start) ? doubleSurnameLengths : singleSurnameLengths
    }

    private static let singleSurnameLengths = [3, 2]
    private static let doubleSurnameLengths = [4, 3, 2]

    /// Whether `text[start..<start+length]` can be a name: surname, then given-name syllables, and
    /// not an ordinary word.
    static func isName(_ text: UnsafeBufferPointer<UInt32>, _ start: Int, _ length: Int) -> Bool {
        guard start + length <= text.count else { return false }
        let surname: Int
        if length >= 3 && KoreanSurnames.isDouble(text, at: start) {
            surname = 2
        } else if KoreanSurnames.isSingle(text[start]) {
            surname = 1
        } else {
            return false
        }
        let given = length - surname
        guard given >= 1, given <= 2 else { return false }
        for position in (start + surname)..<(start + length) where !PersonNameLexicon.isGivenSyllable(text[position]) {
            return false
        }
        if PersonNameLexicon.notNames.contains(text, start, start + length) { return false }
        if given == 2 {
            // 정하여, 반장은, 남자가: a verb form, or an ordinary word and a particle.
            if PersonNameLexicon.verbLikeGivenNames.contains(text, start + surname, start + length) { return false }
            if surname == 1, isParticleSyllable(text[start + 2]) || isTopicParticle(text[start + 2]),
               PersonNameLexicon.notNames.contains(text, start, start + 2) {
                return false
            }
        }
        return true
    }

    /// 은 이 만 께: particles that also end given names (지은, 하이), so they only count after an
    /// ordinary word.
    private static func isTopicParticle(_ c: UInt32) -> Bool {
        c == 0xC740 || c == 0xC774 || c == 0xB9CC || c == 0xAED8
    }

    /// The length of the name at the start of `token` when the rest is a particle or ending
    /// (홍길동이고 → 3, 김철에게 → 2). A final syllable that is usually a particle (가, 는, 를, …)
    /// ends a two-syllable name rather than being a third syllable.
    private static func nameWithEnding(_ text: UnsafeBufferPointer<UInt32>, _ token: Token, minimum: Int) -> Int? {
        let start = token.start
        // 서류가, 상태가: a two-syllable word and a particle, never a three-syllable name.
        if token.length == 3, isParticleSyllable(text[start + 2]) {
            return minimum <= 2 && isName(text, start, 2) ? 2 : nil
        }
        for length in lengths(text, start) where length >= minimum && length <= token.length {
            guard isName(text, start, length) else { continue }
            if PersonNameLexicon.endings.contains(text, start + length, token.end)
                || PersonNameLexicon.titleLength(text, at: start + length, end: token.end) > 0 {
                return length
            }
        }
        return nil
    }

    /// 가 는 를 을 의 와 과 도 로 에: particles that rarely end a given name.
    private static func isParticleSyllable(_ c: UInt32) -> Bool {
        switch c {
        case 0xAC00, 0xB294, 0xB97C, 0xC744, 0xC758, 0xC640, 0xACFC, 0xB3C4, 0xB85C, 0xC5D0: true
        default: false
        }
    }

    enum Before { case none, label, role, introduction, afterIdentifier }

    /// English words after which a name follows (`Send to 김민수`, `Contact 박지훈 at …`).
    private static let englishLeads: Set<String> = ["contact", "to", "from", "by", "with", "cc", "call", "ask", "dear", "for"]

    /// What the word before token `index` says (symbols such as `:` and `-` skipped): a label
    /// naming a person (이름은, 성명, 예금주, Name), a role (간호사, 과장), or 저는.
    private static func contextBefore(_ index: Int, in context: ScanContext) -> Before {
        let tokens = context.tokens
        let text = context.text
        var previous = index - 1
        var skippedSymbol = false
        while previous >= 0, tokens[previous].kind == .symbol, index - previous <= 3 {
            let c = text[tokens[previous].start]
            guard c == ScalarClass.colon || c == 0xFF1A || c == ScalarClass.hyphen || c == 0x3D || c == ScalarClass.openParen
                || c == 0x2F else { return .none }
            skippedSymbol = true
            previous -= 1
        }
        guard previous >= 0, previous < index else { return .none }
        let word = tokens[previous]
        // `카카오뱅크 / 3333-01-1234567 / 조윤아`: a name after its owner's identifier and a separator.
        if previous < index - 1, word.kind == .ascii, text[tokens[index - 1].start] == 0x2F,
           context.findings.contains(where: { $0.end == word.end && $0.type != .address && $0.type != .ip }) {
            return .afterIdentifier
        }
        // A label ending in the previous word, at most two syllables before its end (이름은,
        // 받는 분은, 환자명).
        var hit = context.firstHit(startingAtOrAfter: word.start - 24)
        while hit < context.hits.count, context.hits[hit].start < word.end {
            let found = context.hits[hit]
            if found.cue == .label(.person), found.end > word.start, found.end <= word.end,
               PersonNameLexicon.labelEndings.contains(text, found.end, word.end) {
                return .label
            }
            hit += 1
        }
        if word.kind == .ascii {
            return englishLeads.contains(context.string(word.start, word.end).lowercased()) ? .label : .none
        }
        // Labels may be followed by `:` or `=`; a role or 저는 is followed by the name itself.
        if word.kind == .hangul && !skippedSymbol {
            if word.length <= 2, text[word.start] == 0xC800 || text[word.start] == 0xC804 {   // 저는, 전
                let isIntroduction = word.length == 2 ? text[word.start] == 0xC800 && text[word.start + 1] == 0xB294 : text[word.start] == 0xC804
                if isIntroduction { return .introduction }
            }
            // A role word alone (과장 김민수, 담당 간호사 박지은), not 선수를 제치고.
            if PersonNameLexicon.titleLength(text, at: word.start, end: word.end) == word.length {
                return .role
            }
        }
        return .none
    }

    /// A name right before its owner's details: an identifier after a comma, slash or opening
    /// parenthesis (`노지훈, 900716-…`, `임순신(sujin@…)`, `연가은, 주민등록번호 …`), or an age or
    /// sex in parentheses (`김민수(45세)`, `이영희 (여, 32세)`).
    private static func beforeDetail(_ index: Int, in context: ScanContext) -> PIIEntity? {
        let tokens = context.tokens
        let text = context.text
        guard index + 2 < tokens.count, tokens[index + 1].kind == .symbol else { return nil }
        let separator = text[tokens[index + 1].start]
        let name = tokens[index]
        let after = tokens[index + 2]
        if separator == ScalarClass.comma || separator == ScalarClass.openParen || separator == 0x2F {
            if identifierStarts(at: after.start, in: context) {
                return PIIEntity(type: .person, start: name.start, end: name.end, confidence: 0.75, rule: "person.detail")
            }
            let hit = context.firstHit(startingAtOrAfter: after.start)
            if hit < context.hits.count, context.hits[hit].start < after.end, case .label(let type) = context.hits[hit].cue,
               type != .person, type != .address {
                return PIIEntity(type: .person, start: name.start, end: name.end, confidence: 0.7, rule: "person.detail")
            }
        }
        guard separator == ScalarClass.openParen else { return nil }
        var probe = index + 2
        while probe < tokens.count, probe - index <= 8 {
            let token = tokens[probe]
            if token.kind == .symbol, text[token.start] == ScalarClass.closeParen { break }
            if token.kind == .hangul {
                let c = text[token.start]
                // 세 살 남 여
                if (token.length == 1 && (c == 0xC138 || c == 0xC0B4 || c == 0xB0A8 || c == 0xC5EC)) || (token.length == 2 && (c == 0xB0A8 || c == 0xC5EC) && text[token.start + 1] == 0xC131) {
                    return PIIEntity(type: .person, start: name.start, end: name.end, confidence: 0.75, rule: "person.detail")
                }
            }
            probe += 1
        }
        return nil
    }
}
