/// Hand-written scanners that do what llama.cpp's pre-tokenizer regexes do, over code points.
///
/// Each scanner cuts one segment `start..<end` of a code point buffer into words and appends the
/// end index of every word to `ends`. Positions past the segment read as
/// ``CodepointClass/outside``: llama.cpp scans each segment as if it were the whole text, so a
/// look-ahead such as `\s+(?!\S)` stops at the segment's end.
enum WordScanners {
    private static let apostrophe: UInt32 = 0x27
    private static let space: UInt32 = 0x20
    private static let carriageReturn: UInt32 = 0x0D
    private static let lineFeed: UInt32 = 0x0A

    /// GPT-2's regex `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
    static func gpt2(_ text: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int, into ends: inout [Int]) {
        @inline(__always) func cls(_ position: Int) -> CodepointClass {
            position < end ? CodepointClass.of(text[position]) : .outside
        }
        var position = start
        while position < end {
            let codepoint = text[position]
            // 's 't 're 've 'm 'll 'd (lower case only)
            if codepoint == apostrophe && position + 1 < end {
                let next = text[position + 1]
                if next == 0x73 || next == 0x74 || next == 0x6D || next == 0x64 {  // s t m d
                    position += 2
                    ends.append(position)
                    continue
                }
                if position + 2 < end {
                    let after = text[position + 2]
                    if (next == 0x72 && after == 0x65) || (next == 0x76 && after == 0x65) || (next == 0x6C && after == 0x6C) {  // re ve ll
                        position += 3
                        ends.append(position)
                        continue
                    }
                }
            }
            // An optional leading space joins the run after it.
            let leadingSpace = codepoint == space
            var run = leadingSpace ? cls(position + 1) : cls(position)
            if run.isLetter || run.isNumber || run.isOther {
                let isLetter = run.isLetter, isNumber = run.isNumber
                if leadingSpace { position += 1 }
                while isLetter ? run.isLetter : isNumber ? run.isNumber : run.isOther {
                    position += 1
                    run = cls(position)
                }
                ends.append(position)
                continue
            }
            var whitespace = 0
            while cls(position + whitespace).isWhitespace { whitespace += 1 }
            // \s+(?!\S): a run followed by more text leaves its last space to the next word.
            if whitespace > 1 && position + whitespace < end {
                position += whitespace - 1
                ends.append(position)
                continue
            }
            if whitespace > 0 {
                position += whitespace
                ends.append(position)
                continue
            }
            position += 1
            ends.append(position)
        }
    }

    /// Llama 3's regex (`maxDigits` 3) and Qwen 2's (`maxDigits` 1):
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`.
    static func llama3(_ text: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int, maxDigits: Int, into ends: inout [Int]) {
        @inline(__always) func cls(_ position: Int) -> CodepointClass {
            position < end ? CodepointClass.of(text[position]) : .outside
        }
        // Case-insensitive only for ASCII: the only non-ASCII letters that lower-case to ASCII
        // (U+0130 → i, U+212A → k) are not among the contraction letters.
        @inline(__always) func lower(_ codepoint: UInt32) -> UInt32 {
            codepoint >= 0x41 && codepoint <= 0x5A ? codepoint + 0x20 : codepoint
        }
        var position = start
        while position < end {
            let codepoint = text[position]
            let here = cls(position)
            if codepoint == apostrophe && position + 1 < end {
                let next = lower(text[position + 1])
                if next == 0x73 || next == 0x74 || next == 0x6D || next == 0x64 {  // s t m d
                    position += 2
                    ends.append(position)
                    continue
                }
                if position + 2 < end {
                    let after = lower(text[position + 2])
                    if (next == 0x72 && after == 0x65) || (next == 0x76 && after == 0x65) || (next == 0x6C && after == 0x6C) {
                        position += 3
                        ends.append(position)
                        continue
                    }
                }
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+ : one optional non-letter, non-digit, non-newline lead.
            if !(codepoint == carriageReturn || codepoint == lineFeed || here.isNumber) {
                if here.isLetter || cls(position + 1).isLetter {
                    position += 1
                    while cls(position).isLetter { position += 1 }
                    ends.append(position)
                    continue
                }
            }
            // \p{N}{1,maxDigits}: a run of digits in groups from the left.
            if here.isNumber {
                var groupStart = position
                while cls(position).isNumber {
                    position += 1
                    if position - groupStart >= maxDigits {
                        ends.append(position)
                        groupStart = position
                    }
                }
                if position > groupStart { ends.append(position) }
                continue
            }
            //  ?[^\s\p{L}\p{N}]+[\r\n]*
            var run = codepoint == space ? cls(position + 1) : here
            if !run.isWhitespace && !run.isLetter && !run.isNumber {
                // (A lone space at the segment's end lands here too and becomes its own word,
                // as \s+ would make it.)
                if codepoint == space { position += 1 }
                while run.isOther {
                    position += 1
                    run = cls(position)
                }
                while position < end && (text[position] == carriageReturn || text[position] == lineFeed) {
                    position += 1
                }
                ends.append(position)
                continue
            }
            var whitespace = 0
            var afterLastNewline = 0
            while cls(position + whitespace).isWhitespace {
                let character = text[position + whitespace]
                if character == carriageReturn || character == lineFeed {
                    afterLastNewline = position + whitespace + 1
                }
                whitespace += 1
            }
            // \s*[\r\n]+ : whitespace up to and including the last newline of the run.
            if afterLastNewline > 0 {
                position = afterLastNewline
                ends.append(position)
                continue
            }
            if whitespace > 1 && position + whitespace < end {
                position += whitespace - 1
                ends.append(position)
                continue
            }
            if whitespace > 0 {
                position += whitespace
                ends.append(position)
                continue
            }
            position += 1
            ends.append(position)
        }
    }

    /// `\p{N}`: every number on its own, the text between numbers as one piece.
    static func isolateNumbers(_ text: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int, into ends: inout [Int]) {
        var position = start
        while position < end {
            if CodepointClass.of(text[position]).isNumber {
                position += 1
            } else {
                while position < end && !CodepointClass.of(text[position]).isNumber { position += 1 }
            }
            ends.append(position)
        }
    }

    /// `\p{N}+`: runs of numbers, and the text between them, as pieces.
    static func numberRuns(_ text: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int, into ends: inout [Int]) {
        var position = start
        while position < end {
            let isNumber = CodepointClass.of(text[position]).isNumber
            while position < end && CodepointClass.of(text[position]).isNumber == isNumber { position += 1 }
            ends.append(position)
        }
    }

    /// `[\p{P}\$\+<=>\^~\|]+`: runs of punctuation and of the ASCII symbols `$+<=>^~|`, and the
    /// text between them. (llama.cpp matches this regex over text whose non-ASCII code points
    /// are replaced by their category, so outside ASCII only \p{P} counts; the backquote, an
    /// ASCII symbol, is not in the set.)
    static func punctuationRuns(_ text: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int, into ends: inout [Int]) {
        @inline(__always) func matches(_ codepoint: UInt32) -> Bool {
            switch codepoint {
            case 0x24, 0x2B, 0x3C, 0x3D, 0x3E, 0x5E, 0x7E, 0x7C: true  // $ + < = > ^ ~ |
            default: CodepointClass.of(codepoint).isPunctuation
            }
        }
        var position = start
        while position < end {
            let inRun = matches(text[position])
            while position < end && matches(text[position]) == inRun { position += 1 }
            ends.append(position)
        }
    }

    /// `[0-9][0-9][0-9]`: each leftmost group of three ASCII digits, and the text between.
    static func asciiDigitTriples(_ text: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int, into ends: inout [Int]) {
        @inline(__always) func isDigit(_ position: Int) -> Bool {
            text[position] >= 0x30 && text[position] <= 0x39
        }
        var gapStart = start
        var position = start
        while position + 3 <= end {
            if isDigit(position) && isDigit(position + 1) && isDigit(position + 2) {
                if position > gapStart { ends.append(position) }
                position += 3
                ends.append(position)
                gapStart = position
            } else {
                position += 1
            }
        }
        if end > gapStart { ends.append(end) }
    }
}
