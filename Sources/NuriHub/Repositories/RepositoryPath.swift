/// A file's path inside a repository, validated once at the boundary.
///
/// Relative, `/`-separated, no empty, `.` or `..` segment, no control characters or backslashes,
/// at most 1024 bytes and 255 bytes per segment: every path can be a file name on any disk the
/// client writes to, and none can escape the folder it is downloaded into.
public struct RepositoryPath: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: String

    public static let maximumBytes = 1024
    public static let maximumSegmentBytes = 255

    public var description: String { value }

    public init(_ text: String) throws(HubError) {
        func invalid(_ why: String) -> HubError {
            .invalidInput(param: "path", message: "invalid path '\(String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }).prefix(120))': \(why)")
        }
        guard !text.isEmpty else { throw invalid("it is empty") }
        guard text.utf8.count <= Self.maximumBytes else { throw invalid("longer than \(Self.maximumBytes) bytes") }
        guard !text.hasPrefix("/") else { throw invalid("paths are relative to the repository's root (no leading '/')") }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f || $0 == "\\" }) else {
            throw invalid("control characters and backslashes are not allowed")
        }
        for segment in text.split(separator: "/", omittingEmptySubsequences: false) {
            guard !segment.isEmpty else { throw invalid("empty segment ('//' or a trailing '/')") }
            guard segment != ".", segment != ".." else { throw invalid("'.' and '..' are not allowed") }
            guard segment.utf8.count <= Self.maximumSegmentBytes else { throw invalid("a segment is longer than \(Self.maximumSegmentBytes) bytes") }
        }
        if text == ".git" || text.hasPrefix(".git/") { throw invalid("'.git' is reserved") }
        value = text
    }

    /// The parent folders, outermost first (`a/b/c.txt` → `a`, `a/b`).
    public var folders: [String] {
        var result: [String] = []
        var index = value.startIndex
        while let slash = value[index...].firstIndex(of: "/") {
            result.append(String(value[..<slash]))
            index = value.index(after: slash)
        }
        return result
    }

    public static func < (lhs: RepositoryPath, rhs: RepositoryPath) -> Bool { lhs.value < rhs.value }
}
