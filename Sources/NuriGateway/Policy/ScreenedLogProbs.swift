/// A streamed answer's log probabilities, released with the text they belong to.
///
/// A token's entry names the token's text, so sending it with the token would show what the
/// output filter holds back, and later masks. Instead, an entry goes out once the filter has
/// released all of its token's text unchanged, and is dropped when the text it overlaps was
/// changed (masked, or a pseudonym put back). Log probabilities never show more of the answer
/// than the filter lets through, and each chunk's entries are those of the text it carries.
public struct ScreenedLogProbs<Entry> {
    /// The raw answer given to the filter and not yet released, in Unicode scalars.
    private var pending: [Unicode.Scalar] = []
    /// Entries waiting, with their token's place in `pending` (a start below 0: the token began
    /// in text already released unchanged).
    private var waiting: [(start: Int, end: Int, entry: Entry)] = []

    public init() {}

    /// A piece of the raw answer, about to be given to the filter, with its token's entry (nil
    /// for a piece without one).
    public mutating func generated(_ piece: String, _ entry: Entry?) {
        let start = pending.count
        pending.append(contentsOf: piece.unicodeScalars)
        if let entry { waiting.append((start, pending.count, entry)) }
    }

    /// A piece of the raw answer with the entries of the tokens that make it up. They are placed
    /// only if their tokens spell the piece exactly; otherwise none can be placed, and none goes out.
    public mutating func generated(_ piece: String, tokens: [(text: String, entry: Entry)]?) {
        guard let tokens, tokens.map(\.text).joined() == piece else {
            generated(piece, nil)
            return
        }
        for token in tokens { generated(token.text, token.entry) }
    }

    /// The filter released `text` and now holds `held` scalars back: the entries that go out
    /// with it.
    public mutating func released(_ text: String, held: Int) -> [Entry] {
        let end = min(max(pending.count - held, 0), pending.count)
        let unchanged = text.unicodeScalars.elementsEqual(pending[..<end])
        var out: [Entry] = [], kept: [(start: Int, end: Int, entry: Entry)] = []
        for item in waiting {
            if item.end <= end {
                if unchanged { out.append(item.entry) }
            } else if item.start < end, !unchanged {
                continue  // overlaps changed text
            } else {
                kept.append((item.start - end, item.end - end, item.entry))
            }
        }
        waiting = kept
        pending.removeFirst(end)
        return out
    }
}

extension ScreenedLogProbs: Sendable where Entry: Sendable {}
