/// The lexed text one scan works on: the scalars, the tokens, the context terms, and the findings
/// so far. Lives for one call of `PIIScanner.scan`; nothing is shared between calls.
struct ScanContext {
    let text: UnsafeBufferPointer<UInt32>
    let tokens: [Token]
    /// Context terms in text order.
    let hits: [CueHit]
    /// How far before a value (code points) a context term may end and still speak about it.
    let window: Int
    var findings: [PIIEntity] = []

    init(text: UnsafeBufferPointer<UInt32>, tokens: [Token], hits: [CueHit], window: Int) {
        self.text = text
        self.tokens = tokens
        self.hits = hits
        self.window = window
    }

    /// The index of the first hit that starts at or after `position`.
    func firstHit(startingAtOrAfter position: Int) -> Int {
        var low = 0, high = hits.count
        while low < high {
            let mid = (low + high) / 2
            if hits[mid].start < position { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The number-context term nearest before `position`, within the window. A negative term
    /// (주문번호, 버전, 대표번호) speaks only about the first number after it: once a number ended
    /// after it (`claimedUntil`), later numbers ignore it. Labels reach over other numbers.
    func numberCue(before position: Int, claimedUntil: Int) -> CueHit? {
        var index = firstHit(startingAtOrAfter: position) - 1
        while index >= 0 {
            let hit = hits[index]
            index -= 1
            guard hit.end <= position else { continue }
            if position - hit.end > window { return nil }
            guard hit.cue.isNumberContext else { continue }
            switch hit.cue {
            case .notPersonal, .version:
                if hit.end <= claimedUntil { continue }
            default:
                break
            }
            return hit
        }
        return nil
    }

    /// Whether a term satisfying `matches` ends within the window before `start` or begins within
    /// `after` code points past `end`.
    func hasCue(around start: Int, _ end: Int, after: Int, where matches: (Cue) -> Bool) -> Bool {
        var index = firstHit(startingAtOrAfter: start) - 1
        while index >= 0 {
            let hit = hits[index]
            index -= 1
            if hit.end <= start, start - hit.end > window { break }
            if matches(hit.cue) { return true }
        }
        index = firstHit(startingAtOrAfter: end)
        while index < hits.count, hits[index].start - end <= after {
            if matches(hits[index].cue) { return true }
            index += 1
        }
        return false
    }

    /// The scalars `text[start..<end]` as a `String` (for look-ups of English words).
    func string(_ start: Int, _ end: Int) -> String {
        ScalarClass.string(text[start..<end])
    }

    /// Records a finding.
    mutating func add(_ type: PIIEntityType, _ start: Int, _ end: Int, confidence: Double, rule: String) {
        findings.append(PIIEntity(type: type, start: start, end: end, confidence: confidence, rule: rule))
    }
}
