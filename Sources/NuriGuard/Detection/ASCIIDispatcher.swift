/// Sends each ASCII token to the validators its shape allows: numbers (alone or joined by single
/// spaces) to the number rules in an order set by the nearest context word, `@` tokens to the
/// e-mail rule, colon tokens to IPv6, nine-character letter-digit tokens to the passport rule.
enum ASCIIDispatcher {
    /// Runs of at most this many space-joined tokens are tried (`4111 1111 1111 1111 111`).
    static let maximumChain = 5
    /// A label this close before a number (code points) is tried first: `계좌번호: 010-…` is an
    /// account, while in `계좌로 보내고 010-…로 문자 주세요` the phone rule goes first.
    static let labelReach = 3
    /// A negative word (주문번호, 운송장, 버전) speaks about a number this close after it.
    static let negativeReach = 12

    static func scan(_ context: inout ScanContext) {
        let tokens = context.tokens
        let text = context.text
        var index = 0
        var claimedUntil = -1
        while index < tokens.count {
            let token = tokens[index]
            guard token.kind == .ascii else {
                index += 1
                continue
            }
            guard token.isNumeric else {
                if let entity = matchWord(token, claimedUntil: claimedUntil, in: context) {
                    context.findings.append(entity)
                }
                index += 1
                continue
            }
            // Space-joined tokens: all-digit groups, or `+82` then any number.
            var chain = 1
            while chain < maximumChain, index + chain < tokens.count {
                let previous = tokens[index + chain - 1]
                let next = tokens[index + chain]
                guard next.isNumeric, next.start == previous.end + 1, text[previous.end] == ScalarClass.space,
                      text[next.start] != ScalarClass.plus else { break }
                let previousIsPrefix = chain == 1 && text[previous.start] == ScalarClass.plus && previous.digits == 2
                guard previousIsPrefix || (previous.digits == previous.length && next.digits == next.length) else { break }
                chain += 1
            }
            let cue = context.numberCue(before: token.start, claimedUntil: claimedUntil)
            var matched = false
            for count in stride(from: chain, through: 1, by: -1) {
                let run = DigitRun(text: text, tokens: tokens, first: index, count: count)
                if let entity = classify(run, cue: cue, in: context) {
                    context.findings.append(entity)
                    index += count
                    claimedUntil = run.end
                    matched = true
                    break
                }
            }
            if !matched {
                claimedUntil = token.end
                index += 1
            }
        }
    }

    /// The number rules in turn; the one a near label names goes first.
    static func classify(_ run: DigitRun, cue: CueHit?, in context: ScanContext) -> PIIEntity? {
        var label: PIIEntityType?
        var labelDistance = Int.max
        var versionCue = false
        if let cue {
            let distance = run.start - cue.end
            switch cue.cue {
            case .notPersonal, .version:
                if distance <= negativeReach { return nil }
                versionCue = cue.cue == .version
            case .label(let type):
                label = type
                labelDistance = distance
            case .bank:
                label = .bankAccount
                labelDistance = distance
            case .sensitive, .ordinaryWord:
                break
            }
        }
        if let label, labelDistance <= labelReach,
           let entity = validate(run, as: label, label: label, versionCue: versionCue, in: context) {
            return entity
        }
        for type in order where type != label || labelDistance > labelReach {
            if let entity = validate(run, as: type, label: label, versionCue: versionCue, in: context) { return entity }
        }
        return nil
    }

    /// The default order: the most specific shapes and checks first.
    static let order: [PIIEntityType] = [.rrn, .card, .phone, .brn, .driverLicense, .ip, .bankAccount]

    private static func validate(
        _ run: DigitRun, as type: PIIEntityType, label: PIIEntityType?, versionCue: Bool, in context: ScanContext
    ) -> PIIEntity? {
        switch type {
        case .rrn, .arn, .crn: RegistrationNumberRule.match(run, label: label)
        case .card: CardNumberRule.match(run, label: label)
        case .phone: PhoneNumberRule.match(run, label: label, in: context)
        case .brn: BusinessNumberRule.match(run, label: label)
        case .driverLicense: DriverLicenseRule.match(run, label: label, in: context)
        case .ip: IPv4Rule.match(run, versionCue: versionCue, in: context)
        case .bankAccount: BankAccountRule.match(run, label: label, in: context)
        case .passport, .email, .address, .person: nil
        }
    }

    /// E-mail, IPv6 and passport numbers: ASCII tokens that are not plain numbers.
    private static func matchWord(_ token: Token, claimedUntil: Int, in context: ScanContext) -> PIIEntity? {
        let text = context.text
        var hasAt = false, hasColon = false
        for position in token.start..<token.end {
            let c = text[position]
            if c == ScalarClass.at { hasAt = true } else if c == ScalarClass.colon { hasColon = true }
        }
        if hasAt { return EmailRule.match(token, in: text) }
        if hasColon { return IPv6Rule.match(token, in: text) ?? IPv4Rule.matchWithPort(token, in: text) }
        guard token.length == 9, token.letters >= 1, token.letters <= 2 else { return nil }
        let cue = context.numberCue(before: token.start, claimedUntil: claimedUntil)
        var label: PIIEntityType?
        if let cue {
            switch cue.cue {
            case .notPersonal, .version: if token.start - cue.end <= negativeReach { return nil }
            case .label(let type): label = type
            default: break
            }
        }
        let passportNearby = context.hasCue(around: token.start, token.end, after: 0) { $0 == .label(.passport) }
        return PassportRule.match(token, label: label, passportNearby: passportNearby, in: text)
    }
}
