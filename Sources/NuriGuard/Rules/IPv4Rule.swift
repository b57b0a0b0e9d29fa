/// IPv4 addresses: four dotted decimal octets 0–255 without leading zeros, the first not 0.
/// Not a version: not after a version cue (버전, version, 펌웨어, …) nor right before one
/// (`4.2.1.0 버전`), and not right after a product name (`nginx 1.0.0.52`, `Kubernetes 8.5.8.4`):
/// an English word before an address is one of the network words (`IP`, `host`, `from`, …).
enum IPv4Rule {
    /// English words that may stand right before an address.
    static let networkWords: Set<String> = [
        "ip", "ipv4", "address", "addr", "host", "hostname", "server", "from", "to", "src", "dst", "source",
        "destination", "gateway", "gw", "dns", "at", "is", "via", "client", "peer", "remote", "local", "origin", "and",
        "or", "ping", "ssh", "connect", "connecting", "connected", "login", "blocked", "block", "allow", "deny", "by",
        "on", "of", "for", "inet", "addr:", "my", "the", "public", "private", "proxy", "vpn", "nat", "wan", "lan",
    ]

    static func match(_ run: DigitRun, versionCue: Bool, in context: ScanContext) -> PIIEntity? {
        guard !versionCue, run.groups.count == 4, run.separator == ScalarClass.dot, !run.hasPlus else { return nil }
        if run.firstToken > 0 {
            let before = context.tokens[run.firstToken - 1]
            if before.kind == .ascii, before.letters == before.length, before.length >= 2,
               !networkWords.contains(context.string(before.start, before.end).lowercased()) {
                return nil
            }
        }
        let next = context.firstHit(startingAtOrAfter: run.end)
        if next < context.hits.count, context.hits[next].start - run.end <= 3, context.hits[next].cue == .version {
            return nil
        }
        var offset = 0
        for (index, length) in run.groups.enumerated() {
            guard (1...3).contains(length) else { return nil }
            if length > 1 && run.digits[offset] == 0 { return nil }
            let octet = run.value(from: offset, count: length)
            guard octet <= 255, index > 0 || octet > 0 else { return nil }
            offset += length
        }
        return PIIEntity(type: .ip, start: run.start, end: run.end, confidence: 0.9, rule: "ip.v4")
    }

    /// `10.0.0.1:8080`: an address and a port in one token; the finding is the address.
    static func matchWithPort(_ token: Token, in text: UnsafeBufferPointer<UInt32>) -> PIIEntity? {
        var colon = -1
        for position in token.start..<token.end where text[position] == ScalarClass.colon {
            guard colon < 0 else { return nil }
            colon = position
        }
        guard colon > token.start, colon + 1 < token.end,
              (colon + 1..<token.end).allSatisfy({ ScalarClass.isDigit(text[$0]) }),
              isDottedQuad(text, from: token.start, to: colon) else { return nil }
        return PIIEntity(type: .ip, start: token.start, end: colon, confidence: 0.9, rule: "ip.v4")
    }

    /// Whether `text[start..<end]` is four dotted octets 0–255 without leading zeros, the first
    /// not 0 (unless `firstMayBeZero`, as inside an IPv6 address).
    static func isDottedQuad(_ text: UnsafeBufferPointer<UInt32>, from start: Int, to end: Int, firstMayBeZero: Bool = false) -> Bool {
        var octets = 0, value = 0, length = 0, first = true, leadingZero = false
        for position in start...end {
            if position == end || text[position] == ScalarClass.dot {
                guard length > 0, value <= 255, firstMayBeZero || !(first && value == 0) else { return false }
                octets += 1
                value = 0
                length = 0
                first = false
                leadingZero = false
            } else {
                let c = text[position]
                guard ScalarClass.isDigit(c), length < 3, !leadingZero else { return false }
                if length == 0 && c == 0x30 { leadingZero = true }
                value = value * 10 + Int(ScalarClass.digitValue(c))
                length += 1
            }
        }
        return octets == 4
    }
}
