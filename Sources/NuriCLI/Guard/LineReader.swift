import Foundation

/// Reads a file handle line by line in 64 KB chunks, so input of any size streams through.
/// Lines end at `\n` (a preceding `\r` is dropped); a last line without a break counts too.
/// Invalid UTF-8 is replaced with U+FFFD rather than refused.
struct LineReader {
    let handle: FileHandle
    let chunkSize = 1 << 16

    init(_ handle: FileHandle) {
        self.handle = handle
    }

    func forEach(_ body: (String) throws -> Void) throws {
        var pending = Data()
        while true {
            let chunk = handle.readData(ofLength: chunkSize)
            if chunk.isEmpty { break }
            pending.append(chunk)
            var lineStart = pending.startIndex
            while let newline = pending[lineStart...].firstIndex(of: 0x0A) {
                try body(Self.decode(pending[lineStart..<newline]))
                lineStart = pending.index(after: newline)
            }
            pending = Data(pending[lineStart...])
        }
        if !pending.isEmpty { try body(Self.decode(pending[...])) }
    }

    private static func decode(_ bytes: Data.SubSequence) -> String {
        var bytes = bytes
        if bytes.last == 0x0D { bytes = bytes.dropLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Buffered standard output: one write per 64 KB, not per line.
struct OutputBuffer {
    private var buffer = Data()

    mutating func writeLine(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
