/// Postal addresses, read word by word from an administrative start:
///
///     [province] [city 시] [district 구/군] [town 읍/면]  road(로/길)[N번길]  building-number
///       [, ] [(동네, 건물)] [building name] [N동] [N층] [N호]
///
/// - road-name (도로명) addresses: at least one administrative word, a road ending in 로 or 길
///   (`판교역로146번길`, `테헤란로7길` included) and a building number (`152`, `12-3`);
/// - lot-number (지번) addresses: a city or district, a neighbourhood ending in 동/리/가 and a
///   lot number (`역삼동 123-45`, optionally `번지`);
/// - a bare road and number (`테헤란로 152`) only right after an address word (주소, 배송지);
/// - after the number, units (`101동 1203호`, `5층`, `지하 1층`), a parenthesised neighbourhood
///   (`(역삼동)`) and a building name before a unit are part of the address.
enum AddressRule {
    static func scan(_ context: inout ScanContext) {
        let tokens = context.tokens
        var index = 0
        while index < tokens.count {
            if tokens[index].kind == .hangul, let (entity, next) = parse(from: index, in: context) {
                context.findings.append(entity)
                index = next
            } else {
                index += 1
            }
        }
    }

    /// Parses an address starting at token `first`; returns it and the index of the token after it.
    static func parse(from first: Int, in context: ScanContext) -> (PIIEntity, Int)? {
        let text = context.text
        let tokens = context.tokens
        var index = first
        var levels = 0
        var knownProvince = false
        var hasCityOrDistrict = false
        var previousLevel: AdministrativeDivisions.Level?
        while index < tokens.count, levels < 4 {
            let token = tokens[index]
            guard token.kind == .hangul, index == first || token.spaceBefore,
                  let level = AdministrativeDivisions.level(text, token.start, token.end) else { break }
            if let previousLevel, level < previousLevel { break }
            if level == .province { knownProvince = true } else { hasCityOrDistrict = true }
            previousLevel = level
            levels += 1
            index += 1
        }
        // Without an administrative word, only a road right after an address word (배송지: 테헤란로 152).
        if levels == 0 {
            let token = tokens[first]
            guard AdministrativeDivisions.isRoad(lastSyllable: text[token.end - 1]) || first + 1 < tokens.count
                    && tokens[first + 1].start == token.end && tokens[first + 1].kind == .ascii,
                  context.hasCue(around: token.start, token.start, after: 0, where: { $0 == .label(.address) }) else {
                return nil
            }
        }
        guard index < tokens.count else { return nil }

        // Road name and building number.
        if let roadEnd = road(at: index, in: context), let (numberEnd, afterNumber) = buildingNumber(after: roadEnd, in: context) {
            var end = numberEnd
            let next = details(from: afterNumber, end: &end, in: context)
            let confidence = levels >= 2 || knownProvince ? 0.9 : 0.8
            return (PIIEntity(type: .address, start: tokens[first].start, end: end, confidence: confidence, rule: "address.road"), next)
        }
        // Lot number.
        guard hasCityOrDistrict, levels > 0, index + 1 < tokens.count else { return nil }
        let neighbourhood = tokens[index]
        guard neighbourhood.kind == .hangul, neighbourhood.spaceBefore, neighbourhood.length >= 2, neighbourhood.length <= 5,
              AdministrativeDivisions.isNeighbourhood(lastSyllable: text[neighbourhood.end - 1]),
              !AdministrativeDivisions.notPlaces.contains(text, neighbourhood.start, neighbourhood.end),
              let (numberEnd, afterNumber) = buildingNumber(after: index + 1, in: context) else { return nil }
        var end = numberEnd
        var next = afterNumber
        if next < tokens.count, tokens[next].kind == .hangul, !tokens[next].spaceBefore, tokens[next].start == end,
           tokens[next].length >= 2, text[tokens[next].start] == 0xBC88, text[tokens[next].start + 1] == 0xC9C0 { // 번지
            end += 2
            next += tokens[next].length == 2 ? 1 : 0
        }
        next = details(from: next, end: &end, in: context)
        return (PIIEntity(type: .address, start: tokens[first].start, end: end, confidence: 0.85, rule: "address.lot"), next)
    }

    /// The index of the token after a road name starting at `index`, or nil. A road name is a
    /// Hangul word ending in 로 or 길, possibly written together with numbers: `판교역로146번길`,
    /// `테헤란로7길`, `도움6로8길` (Hangul and digit tokens with no space between them).
    private static func road(at index: Int, in context: ScanContext) -> Int? {
        let text = context.text
        let tokens = context.tokens
        guard index < tokens.count else { return nil }
        let token = tokens[index]
        guard token.kind == .hangul, token.length >= 2, token.length <= 10 else { return nil }
        var roadEnd: Int? = AdministrativeDivisions.isRoad(lastSyllable: text[token.end - 1]) ? index + 1 : nil
        var last = index
        while last + 1 < tokens.count, last - index < 4 {
            let next = tokens[last + 1]
            guard next.start == tokens[last].end else { break }
            if tokens[last].kind == .hangul, next.kind == .ascii, next.digits == next.length, next.length <= 4 {
                last += 1
            } else if tokens[last].kind == .ascii, next.kind == .hangul, next.length <= 3 {
                last += 1
                if AdministrativeDivisions.isRoad(lastSyllable: text[next.end - 1]) { roadEnd = last + 1 }
            } else {
                break
            }
        }
        return roadEnd
    }

    /// The building or lot number at token `index`: digits, or digits-digits, up to 4 each.
    /// Returns its end offset and the index of the next token.
    private static func buildingNumber(after index: Int, in context: ScanContext) -> (Int, Int)? {
        let tokens = context.tokens
        guard index < tokens.count else { return nil }
        let token = tokens[index]
        guard token.kind == .ascii, token.isNumeric, token.digits <= 8 else { return nil }
        var groupLength = 0, groups = 1
        for position in token.start..<token.end {
            let c = context.text[position]
            if ScalarClass.isDigit(c) {
                groupLength += 1
                if groupLength > 4 { return nil }
            } else if c == ScalarClass.hyphen, groups == 1 {
                groups += 1
                groupLength = 0
            } else {
                return nil
            }
        }
        // A building number is not followed by a unit or counter word (`3층`, `2개`), except
        // `번지`, which the lot-number form takes.
        if index + 1 < tokens.count, tokens[index + 1].kind == .hangul, !tokens[index + 1].spaceBefore {
            let after = context.text[tokens[index + 1].start]
            // 번(지), 입(니다), 예(요), 라(서), 인(데), 쯤
            let ending = after == 0xBC88 || after == 0xC785 || after == 0xC608 || after == 0xB77C || after == 0xC778 || after == 0xCBE4
            if !ending && !isParticle(after) { return nil }
        }
        return (token.end, index + 1)
    }

    /// 에, 으, 로, 이, 가, 은, 는, 을, 를, 의, 까, 도, 와, 과: a particle after the number.
    private static func isParticle(_ c: UInt32) -> Bool {
        switch c {
        case 0xC5D0, 0xC73C, 0xB85C, 0xC774, 0xAC00, 0xC740, 0xB294, 0xC744, 0xB97C, 0xC758, 0xAE4C, 0xB3C4, 0xC640, 0xACFC: true
        default: false
        }
    }

    /// Extends `end` over the units and details after the number; returns the next token index.
    private static func details(from start: Int, end: inout Int, in context: ScanContext) -> Int {
        let tokens = context.tokens
        let text = context.text
        var index = start
        while index < tokens.count {
            let token = tokens[index]
            // `, 5층`: a comma only if a detail follows it.
            var probe = index
            if token.kind == .symbol, text[token.start] == ScalarClass.comma { probe += 1 }
            guard probe < tokens.count else { break }
            if let (unitEnd, next) = unit(at: probe, in: context) {
                end = unitEnd
                index = next
                continue
            }
            // `(역삼동)`, `(역삼동, 강남파이낸스센터)`
            if tokens[probe].kind == .symbol, text[tokens[probe].start] == ScalarClass.openParen {
                var close = probe + 1
                while close < tokens.count, close - probe <= 12, tokens[close].kind != .symbol || text[tokens[close].start] == ScalarClass.comma {
                    close += 1
                }
                if close < tokens.count, close > probe + 1, text[tokens[close].start] == ScalarClass.closeParen {
                    end = tokens[close].end
                    index = close + 1
                    continue
                }
                break
            }
            // A building name followed by a unit: `래미안아파트 101동`, `에이치스퀘어 N동 3층`,
            // `e편한세상 103동` (a name may mix scripts without spaces).
            var nameEnd = probe
            while nameEnd < tokens.count, nameEnd - probe < 4, nameEnd == probe || !tokens[nameEnd].spaceBefore,
                  tokens[nameEnd].kind == .hangul || (tokens[nameEnd].kind == .ascii && tokens[nameEnd].letters > 0) {
                nameEnd += 1
            }
            if nameEnd > probe, let (unitEnd, next) = unit(at: nameEnd, in: context) {
                end = unitEnd
                index = next
                continue
            }
            break
        }
        return index
    }

    /// A unit at token `index`: a number or short code (`101`, `B1`, `N`) directly followed by
    /// 동, 층 or 호 (not 호선, a subway line), or `지하` then a number and 층.
    private static func unit(at index: Int, in context: ScanContext) -> (Int, Int)? {
        let tokens = context.tokens
        let text = context.text
        var index = index
        guard index + 1 < tokens.count else { return nil }
        if tokens[index].kind == .hangul, tokens[index].length == 2, text[tokens[index].start] == 0xC9C0,
           text[tokens[index].start + 1] == 0xD558 {   // 지하
            index += 1
            guard index + 1 < tokens.count else { return nil }
        }
        let code = tokens[index]
        guard code.kind == .ascii, code.length <= 5, code.digits > 0 || code.length <= 2, code.digits + code.letters == code.length else { return nil }
        let word = tokens[index + 1]
        guard word.kind == .hangul, !word.spaceBefore, word.start == code.end else { return nil }
        let syllable = text[word.start]
        guard syllable == 0xB3D9 || syllable == 0xCE35 || syllable == 0xD638 else { return nil }   // 동 층 호
        if word.length >= 2 {
            let second = text[word.start + 1]
            if syllable == 0xD638 && second == 0xC120 { return nil }     // 호선
            if syllable == 0xD638 && second == 0xC2E4 {                  // 호실
                return (word.start + 2, index + 2)
            }
            return (word.start + 1, index + 2)
        }
        return (word.end, index + 2)
    }
}
