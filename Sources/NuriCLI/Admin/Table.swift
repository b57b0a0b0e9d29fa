import Foundation

/// Prints rows as aligned columns (for people) or as JSON (`--json`, for scripts).
enum Table {
    static func print(headers: [String], rows: [[String]]) {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        Swift.print(line(headers))
        for row in rows { Swift.print(line(row)) }
    }

    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Unix seconds as a UTC date and time, or `-`.
    static func time(_ seconds: Int?) -> String {
        guard let seconds else { return "-" }
        return Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false))
    }
}
