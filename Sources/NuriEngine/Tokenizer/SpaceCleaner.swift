/// llama.cpp's `clean_spaces` step of decoding, for vocabularies whose pre-tokenizer asks for
/// it (GPT-2, Llama 3…): the space is dropped in " ?", " !", " .", " ,"; " ' " becomes "'";
/// and " 's", " 'm", " 're", " 've" lose their space.
///
/// llama.cpp makes three passes over the whole decoded text. Each pass only ever looks at most
/// two bytes ahead, so here each is a small state machine that holds back the few bytes it
/// cannot decide yet, and bytes flow through the three in turn. Decoding everything at once and
/// decoding token by token then give the same text by construction.
struct SpaceCleaner: Sendable {
    private static let space = UInt8(ascii: " ")
    private static let quote = UInt8(ascii: "'")

    /// Pass 1: a space is held until the next byte shows whether it goes.
    private var pass1HoldsSpace = false
    /// Pass 2: 0 nothing held, 1 a space, 2 a space and a quote.
    private var pass2State: UInt8 = 0
    /// Pass 3: 0 nothing held, 1 a space, 2 a space and a quote, 3 those and `pass3Letter`.
    private var pass3State: UInt8 = 0
    private var pass3Letter: UInt8 = 0

    init() {}

    /// Feeds one decoded byte; appends what is decided to `output`.
    mutating func push(_ byte: UInt8, into output: inout [UInt8]) {
        if pass1HoldsSpace {
            pass1HoldsSpace = false
            switch byte {
            case UInt8(ascii: "?"), UInt8(ascii: "!"), UInt8(ascii: "."), UInt8(ascii: ","):
                break  // the space goes
            default:
                pass2(Self.space, &output)
            }
        }
        if byte == Self.space { pass1HoldsSpace = true } else { pass2(byte, &output) }
    }

    /// Flushes what is held at the end of the text.
    mutating func finish(into output: inout [UInt8]) {
        if pass1HoldsSpace {
            pass1HoldsSpace = false
            pass2(Self.space, &output)
        }
        switch pass2State {
        case 1: pass3(Self.space, &output)
        case 2: pass3(Self.space, &output); pass3(Self.quote, &output)
        default: break
        }
        pass2State = 0
        switch pass3State {
        case 1: output.append(Self.space)
        case 2: output.append(contentsOf: [Self.space, Self.quote])
        case 3: output.append(contentsOf: [Self.space, Self.quote, pass3Letter])
        default: break
        }
        pass3State = 0
    }

    /// " ' " → "'": the quote keeps neither space. The byte after it then follows no space.
    private mutating func pass2(_ byte: UInt8, _ output: inout [UInt8]) {
        switch pass2State {
        case 1:
            if byte == Self.quote { pass2State = 2; return }
            pass2State = 0
            pass3(Self.space, &output)
        case 2:
            pass2State = 0
            if byte == Self.space {
                pass3(Self.quote, &output)
                return
            }
            pass3(Self.space, &output)
            pass3(Self.quote, &output)
        default:
            break
        }
        if byte == Self.space { pass2State = 1 } else { pass3(byte, &output) }
    }

    /// " 's", " 'm", " 're", " 've" lose the space (" 't", " 'd", " 'll" keep it).
    private mutating func pass3(_ byte: UInt8, _ output: inout [UInt8]) {
        switch pass3State {
        case 1:
            if byte == Self.quote { pass3State = 2; return }
            pass3State = 0
            output.append(Self.space)
        case 2:
            pass3State = 0
            if byte == UInt8(ascii: "s") || byte == UInt8(ascii: "m") {
                output.append(contentsOf: [Self.quote, byte])
                return
            }
            if byte == UInt8(ascii: "r") || byte == UInt8(ascii: "v") {
                pass3State = 3
                pass3Letter = byte
                return
            }
            output.append(contentsOf: [Self.space, Self.quote])
        case 3:
            pass3State = 0
            if byte == UInt8(ascii: "e") {
                output.append(contentsOf: [Self.quote, pass3Letter, byte])
                return
            }
            output.append(contentsOf: [Self.space, Self.quote, pass3Letter])
        default:
            break
        }
        if byte == Self.space { pass3State = 1 } else { output.append(byte) }
    }
}
