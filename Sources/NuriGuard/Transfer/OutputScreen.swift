/// The screen a backend's answer passes through on its way back to the caller: the same rules
/// as the request (resident registration numbers always masked; going outside, whatever the
/// consents did not cover), then the request's pseudonyms put back, so the caller reads their
/// own data again.
///
/// Streams arrive a token at a time and a number can span tokens, so the screen holds back the
/// text after the last space (and, for answers from outside, the last `holdBack` characters)
/// until it can tell; an unfinished pseudonym (`[이름1`) is held back too. `finish()` releases
/// the rest. A value: one per answer.
public struct OutputScreen: Sendable {
    let scanner: PIIScanner
    /// Types masked in the answer.
    let masked: Set<PIIEntityType>
    /// Whether every masked type is a registration number (13 ASCII digits): then text with
    /// fewer digits needs no scan.
    let numbersOnly: Bool
    /// The request's masker: its pseudonyms are restored in the answer.
    var masker: PIIMasker
    let holdBack: Int
    let audit: AuditLog?
    var entry: AuditEntry
    var pending = ""
    /// The last characters already released: context for the rules ("주민번호: …").
    var context = ""
    var counts: [String: Int] = [:]
    var hashes: [String] = []

    /// The types that are runs of ASCII digits.
    static let numberTypes: Set<PIIEntityType> = [.rrn, .arn, .crn]
    static let contextLength = 24
    /// A run this long without a space is released anyway (memory stays bounded).
    static let longestRun = 512

    init(scanner: PIIScanner, masked: Set<PIIEntityType>, masker: PIIMasker, holdBack: Int, audit: AuditLog?, entry: AuditEntry) {
        self.scanner = scanner
        self.masked = masked.contains(.rrn) ? masked : masked.union([.rrn])
        numbersOnly = self.masked.isSubset(of: Self.numberTypes)
        self.masker = masker
        self.holdBack = holdBack
        self.audit = audit
        self.entry = entry
    }

    /// A screen that only masks resident registration numbers and records nothing.
    public static func residentNumbersOnly() -> OutputScreen {
        OutputScreen(scanner: PIIScanner(), masked: [.rrn], masker: PIIMasker(), holdBack: 0, audit: nil,
                     entry: AuditEntry(actor: "", organisationID: nil, action: "", target: "", decision: "", reason: ""))
    }

    /// How much of the answer is held back, in Unicode scalars.
    public var heldScalars: Int { pending.unicodeScalars.count }

    /// The text that can go to the caller now, given one more piece of the answer.
    public mutating func pass(_ piece: String) async throws -> String {
        pending += piece
        guard let cut = releasePoint() else { return "" }
        return release(upTo: cut)
    }

    /// Everything still held back, screened; records what was masked in the answer.
    public mutating func finish() async throws -> String {
        let rest = release(upTo: pending.unicodeScalars.endIndex)
        if !counts.isEmpty, let audit {
            entry.entities = counts
            entry.valueHashes = hashes
            try await audit.append(entry)
            counts = [:]
            hashes = []
        }
        return rest
    }

    /// A whole answer at once.
    public mutating func screen(_ text: String) async throws -> String {
        let head = try await pass(text)
        return head + (try await finish())
    }

    /// Where the text that can go now ends: after the last whitespace before the held-back
    /// tail; a run longer than ``longestRun`` without one goes anyway; an unfinished pseudonym stays.
    private func releasePoint() -> String.Index? {
        let scalars = pending.unicodeScalars
        var index = scalars.endIndex
        for _ in 0..<holdBack {
            guard index > scalars.startIndex else { return nil }
            index = scalars.index(before: index)
        }
        let tailStart = index
        var cut: String.Index?
        while index > scalars.startIndex {
            let previous = scalars.index(before: index)
            let scalar = scalars[previous]
            // ASCII answers without a look-up of Unicode's properties.
            if scalar.isASCII ? scalar == " " || (0x09...0x0D).contains(scalar.value) : scalar.properties.isWhitespace {
                cut = index
                break
            }
            index = previous
        }
        if cut == nil && scalars.count > Self.longestRun + holdBack { cut = tailStart }
        if let end = cut, !masker.pseudonyms.isEmpty,
           let open = scalars[..<end].lastIndex(of: "["), !scalars[open..<end].contains("]") {
            cut = open > scalars.startIndex ? open : nil
        }
        return cut
    }

    /// Whether `context` followed by `chunk` may hold a type this screen masks. Registration
    /// numbers are 13 ASCII digits, so text with fewer digits needs no scan (in-house answers
    /// mask those alone).
    private func mayHoldMaskedData(_ context: String, _ chunk: String) -> Bool {
        guard !masked.isEmpty else { return false }
        guard numbersOnly else { return true }
        var digits = 0
        func reachesThirteen(_ text: String) -> Bool {
            for byte in text.utf8 where byte &- 0x30 < 10 {
                digits += 1
                if digits >= 13 { return true }
            }
            return false
        }
        return reachesThirteen(context) || reachesThirteen(chunk)
    }

    private mutating func release(upTo cut: String.Index) -> String {
        // Scalar indices (a cut may fall inside a grapheme: a combining mark comes later).
        guard cut > pending.unicodeScalars.startIndex else { return "" }
        let chunk: String
        if cut == pending.unicodeScalars.endIndex {
            chunk = pending
            pending = ""
        } else {
            chunk = String(pending.unicodeScalars[..<cut])
            pending.unicodeScalars.removeSubrange(..<cut)
        }
        var released = chunk
        if mayHoldMaskedData(context, chunk) {
            let text = context + chunk
            let offset = context.unicodeScalars.count
            let entities = scanner.scan(text).entities.compactMap { entity -> PIIEntity? in
                guard masked.contains(entity.type), entity.start >= offset else { return nil }
                var shifted = entity
                shifted.start -= offset
                shifted.end -= offset
                return shifted
            }
            if !entities.isEmpty {
                let scalars = Array(chunk.unicodeScalars)
                for entity in entities {
                    counts[entity.type.rawValue, default: 0] += 1
                    if let audit {
                        hashes.append(audit.keyedHash(value: String(String.UnicodeScalarView(scalars[entity.start..<entity.end])), type: entity.type))
                    }
                }
                var placeholders = PIIMasker()
                released = placeholders.mask(released, entities: entities, mode: .placeholder)
            }
        }
        released = masker.restore(released)
        context = chunk.utf8.count <= Self.contextLength ? chunk : String(chunk.unicodeScalars.suffix(Self.contextLength))
        return released
    }
}
