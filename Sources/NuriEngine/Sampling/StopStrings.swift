import Foundation

/// Finds stop strings in streamed text without ever emitting part of one.
///
/// Text is released as soon as it can no longer be the beginning of a stop string; the tail
/// that might still grow into one is held back until the next piece decides it.
public struct StopStringMatcher: Sendable {
    public let stops: [String]
    private var pending = ""

    public init(_ stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }
    }

    /// The outcome of adding a piece of text.
    public enum Outcome: Sendable, Equatable {
        /// Text safe to emit now (possibly empty).
        case text(String)
        /// A stop string matched: emit this text, then stop.
        case stop(String)
    }

    /// Adds generated text; returns what may be emitted.
    public mutating func append(_ piece: String) -> Outcome {
        pending += piece
        if let match = stops.compactMap({ pending.range(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound }) {
            let before = String(pending[..<match.lowerBound])
            pending = ""
            return .stop(before)
        }
        // Hold back the longest suffix that is a proper prefix of some stop string.
        var hold = 0
        for stop in stops {
            for length in stride(from: min(stop.count - 1, pending.count), to: 0, by: -1) where length > hold {
                if pending.hasSuffix(stop.prefix(length)) {
                    hold = length
                    break
                }
            }
        }
        let cut = pending.index(pending.endIndex, offsetBy: -hold)
        let released = String(pending[..<cut])
        pending = String(pending[cut...])
        return .text(released)
    }

    /// At the end of generation: whatever was held back (it never became a stop string).
    public mutating func finish() -> String {
        defer { pending = "" }
        return pending
    }
}
