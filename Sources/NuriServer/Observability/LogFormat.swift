import Foundation
import Logging

/// How log lines are written: `text` for people, `json` (one object per line) for collectors.
public enum LogFormat: String, Sendable {
    case text
    case json

    /// Installs the process-wide log handler. Call once, at start-up.
    public func bootstrap(level: Logger.Level) {
        let format = self
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label, format: format)
            handler.logLevel = level
            return handler
        }
    }
}

/// Writes each event as one line on standard error, with one `write` call, timestamped in UTC:
/// - `text`: `2026-11-29T04:00:00.000Z info nuri : method=POST status=200 request`
/// - `json`: `{"label":"nuri","level":"info","method":"POST","msg":"request","status":"200","ts":"2026-11-29T04:00:00.000Z"}`
///   (keys sorted).
///
/// Formatting is done here rather than by swift-log's `StreamLogHandler` (or Foundation's
/// encoders and date formatters) because a server writes a line per request: this costs a few
/// microseconds, theirs tens.
public struct LineLogHandler: LogHandler {
    public let label: String
    public let format: LogFormat
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    public init(label: String, format: LogFormat) {
        self.label = label
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = line(event, at: timespec.now())
        line.append(0x0A)
        line.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return  // standard error is gone: nothing better to do with a log line
                }
            }
        }
    }

    /// The line for `event` at `time`, without its newline.
    func line(_ event: LogEvent, at time: timespec) -> [UInt8] {
        // The handler's metadata and the event's (which wins for the same key), sorted by key:
        // a small array, not a merged dictionary looked up again for each key.
        var fields: [(key: String, value: Logger.MetadataValue)] = []
        fields.reserveCapacity(metadata.count + (event.metadata?.count ?? 0))
        for (key, value) in metadata where event.metadata?[key] == nil { fields.append((key, value)) }
        if let extra = event.metadata { fields.append(contentsOf: extra.lazy.map { ($0.key, $0.value) }) }
        fields.sort { $0.key < $1.key }
        var line: [UInt8] = []
        line.reserveCapacity(160)
        switch format {
        case .text:
            Self.appendTimestamp(time, to: &line)
            line.append(0x20)
            line.append(contentsOf: event.level.rawValue.utf8)
            line.append(0x20)
            line.append(contentsOf: label.utf8)
            line.append(contentsOf: " :".utf8)
            for (key, value) in fields {
                line.append(0x20)
                line.append(contentsOf: key.utf8)
                line.append(0x3D)
                line.append(contentsOf: Self.text(value).utf8)
            }
            line.append(0x20)
            line.append(contentsOf: event.message.description.utf8)
        case .json:
            var stamp: [UInt8] = []
            Self.appendTimestamp(time, to: &stamp)
            // The fixed four win over metadata of the same name.
            let fixed = [("label", label), ("level", event.level.rawValue), ("msg", event.message.description),
                         ("ts", String(decoding: stamp, as: UTF8.self))]
            var pairs = fields.filter { field in !fixed.contains { $0.0 == field.key } }.map { ($0.key, Self.text($0.value)) }
            pairs += fixed
            pairs.sort { $0.0 < $1.0 }
            line.append(0x7B)
            for (key, value) in pairs {
                if line.count > 1 { line.append(0x2C) }
                Self.appendJSONString(key, to: &line)
                line.append(0x3A)
                Self.appendJSONString(value, to: &line)
            }
            line.append(0x7D)
        }
        return line
    }

    /// A metadata value as text: a string as it is, anything else as it describes itself.
    static func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        default: "\(value)"
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, from the days-from-civil algorithm run backwards.
    static func appendTimestamp(_ time: timespec, to line: inout [UInt8]) {
        let seconds = Int(time.tv_sec)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                line.append(UInt8(0x30 + rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4); line.append(0x2D); digits(month, 2); line.append(0x2D); digits(day, 2)
        line.append(0x54)
        digits(secondOfDay / 3_600, 2); line.append(0x3A); digits(secondOfDay / 60 % 60, 2); line.append(0x3A); digits(secondOfDay % 60, 2)
        line.append(0x2E)
        digits(Int(time.tv_nsec) / 1_000_000, 3)
        line.append(0x5A)
    }

    static func appendJSONString(_ string: String, to line: inout [UInt8]) {
        line.append(0x22)
        for byte in string.utf8 {
            switch byte {
            case 0x22: line.append(contentsOf: [0x5C, 0x22])
            case 0x5C: line.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: line.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: line.append(contentsOf: [0x5C, 0x72])
            case 0x09: line.append(contentsOf: [0x5C, 0x74])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                line.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: line.append(byte)
            }
        }
        line.append(0x22)
    }
}

extension timespec {
    static func now() -> timespec {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return time
    }
}
