import Foundation
import NuriGateway

/// An output filter for tests, shaped like the guard's screen: it holds back the text after the
/// last space (a word may not be finished) and masks "Seoul" as "[CITY]", however a stream
/// splits it.
public struct CityMask: OutputFilter {
    var held = ""

    public init() {}

    public mutating func pass(_ piece: String) async throws -> String {
        held += piece
        guard let space = held.lastIndex(where: \.isWhitespace) else { return "" }
        let ready = String(held[...space])
        held = String(held[held.index(after: space)...])
        return ready.replacingOccurrences(of: "Seoul", with: "[CITY]")
    }

    public mutating func finish() async throws -> String {
        defer { held = "" }
        return held.replacingOccurrences(of: "Seoul", with: "[CITY]")
    }

    public var heldScalars: Int { held.unicodeScalars.count }
}
