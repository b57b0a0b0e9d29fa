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
    /// The request's masker: its pseudonyms are restored in the answer.
    var masker: PIIMasker
    let holdBack: Int
    let audit: AuditLog?
    var entry: AuditEntry
    var pending: [Unicode.Scalar] = []
    /// The last characters already released: context for the rules ("주민번호: …").
    var context: [Unicode.Scalar] = []
    var counts: [String: Int] = [:]
    var hashes: [String] = []

    static let contextLength = 24
    /// A run this long without a space is released anyway (memory stays bounded).
    static let longestRun = 512

    init(scanner: PIIScanner, masked: Set<PIIEntityType>, masker: PIIMasker, holdBack: Int, audit: AuditLog?, entry: AuditEntry) {
        self.scanner = scanner
        self.masked = masked.union([.rrn])
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

    /// The text that can go to the caller now, given one more piece of the answer.
    public mutating func pass(_ piece: String) async throws -> String {
        pending.append(contentsOf: piece.unicodeScalars)
        guard let cut = releasePoint() else { return "" }
        return release(upTo: cut)
    }

    /// Everything still held back, screened; records what was masked in the answer.
    public mutating func finish() async throws -> String {
        let rest = release(upTo: pending.count)
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

    private func releasePoint() -> Int? {
        var index = pending.count - 1 - holdBack
        while index >= 0 && !pending[index].properties.isWhitespace { index -= 1 }
        var cut: Int? = index >= 0 ? index + 1 : nil
        if cut == nil && pending.count > Self.longestRun + holdBack { cut = pending.count - holdBack }
        if let end = cut, !masker.pseudonyms.isEmpty,
           let open = pending[..<end].lastIndex(of: "["), !pending[open..<end].contains("]") {
            cut = open > 0 ? open : nil
        }
        return cut
    }

    private mutating func release(upTo cut: Int) -> String {
        guard cut > 0 else { return "" }
        let chunk = Array(pending[..<cut])
        pending.removeFirst(cut)
        var text = String.UnicodeScalarView()
        text.append(contentsOf: context)
        text.append(contentsOf: chunk)
        let offset = context.count
        let entities = scanner.scan(String(text)).entities.compactMap { entity -> PIIEntity? in
            guard masked.contains(entity.type), entity.start >= offset else { return nil }
            var shifted = entity
            shifted.start -= offset
            shifted.end -= offset
            return shifted
        }
        var released = String(String.UnicodeScalarView(chunk))
        if !entities.isEmpty {
            for entity in entities {
                counts[entity.type.rawValue, default: 0] += 1
                if let audit {
                    hashes.append(audit.keyedHash(value: String(String.UnicodeScalarView(chunk[entity.start..<entity.end])), type: entity.type))
                }
            }
            var placeholders = PIIMasker()
            released = placeholders.mask(released, entities: entities, mode: .placeholder)
        }
        released = masker.restore(released)
        context = Array(chunk.suffix(Self.contextLength))
        return released
    }
}
