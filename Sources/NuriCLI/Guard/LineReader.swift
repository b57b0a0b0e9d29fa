import Foundation

/// Reads a file handle line by line as data arrives, so input of any size streams through and
/// a pipe's lines are answered as they come. Lines end at `\n` (a preceding `\r` is dropped); a
/// last line without a break counts too. Invalid UTF-8 is replaced with U+FFFD, not refused.
struct LineReader {
    let handle: FileHandle

    init(_ handle: FileHandle) {
        self.handle = handle
    }

    /// Calls `body` for each line, and `chunkDone` after the lines of each read.
    func forEach(_ body: (String) throws -> Void, chunkDone: () -> Void = {}) throws {
        var pending = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            var lineStart = pending.startIndex
            while let newline = pending[lineStart...].firstIndex(of: 0x0A) {
                try body(Self.decode(pending[lineStart..<newline]))
                lineStart = pending.index(after: newline)
            }
            pending = Data(pending[lineStart...])
            chunkDone()
        }
        if !pending.isEmpty { try body(Self.decode(pending[...])) }
    }

    private static func decode(_ bytes: Data.SubSequence) -> String {
        var bytes = bytes
        if bytes.last == 0x0D { bytes = bytes.dropLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Buffered standard output: one write per 64 KB or per input chunk, not per line. A class, so
/// the line handler and the chunk handler of one command share it.
final class OutputBuffer {
    private var buffer = Data()

    func writeLine(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
