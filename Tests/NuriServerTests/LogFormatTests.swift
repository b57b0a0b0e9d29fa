import Foundation
import Logging
@testable import NuriServer
import Testing

@Suite("Log lines: UTC timestamps, text and JSON formats")
struct LogFormatTests {
    func event(_ level: Logger.Level, _ message: Logger.Message, metadata: Logger.Metadata? = nil) -> LogEvent {
        LogEvent(level: level, message: message, metadata: metadata, source: nil, file: #fileID, function: #function, line: #line)
    }

    func render(_ handler: LineLogHandler, _ event: LogEvent, seconds: Int, nanoseconds: Int = 0) -> String {
        String(decoding: handler.line(event, at: timespec(tv_sec: seconds, tv_nsec: nanoseconds)), as: UTF8.self)
    }

    // Expected values computed independently with Python, not with the code under test:
    //   datetime.fromtimestamp(s, timezone.utc).isoformat()  for the seconds, and
    //   int(datetime.fromisoformat(d).replace(tzinfo=timezone.utc).timestamp())  for the dates.
    // Milliseconds are the nanoseconds cut (not rounded) to three digits.
    @Test("timestamps are ISO 8601 in UTC with milliseconds, for known instants", arguments: [
        (0, 0, "1970-01-01T00:00:00.000Z"),
        (951_782_400, 0, "2000-02-29T00:00:00.000Z"),  // a leap day in a century divisible by 400
        (1_709_210_096, 7_000_000, "2024-02-29T12:34:56.007Z"),
        (1_795_924_800, 123_456_789, "2026-11-29T04:00:00.123Z"),
        (1_798_761_599, 999_999_999, "2026-12-31T23:59:59.999Z"),  // the last millisecond of a year
        (4_107_542_400, 0, "2100-03-01T00:00:00.000Z"),  // 2100 has no 29 February
    ])
    func timestamps(seconds: Int, nanoseconds: Int, expected: String) {
        var bytes: [UInt8] = []
        LineLogHandler.appendTimestamp(timespec(tv_sec: seconds, tv_nsec: nanoseconds), to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
    }

    @Test("text: timestamp, level, label, then metadata as key=value sorted by key, then the message")
    func text() {
        var handler = LineLogHandler(label: "nuri", format: .text)
        handler.metadata = ["service": "gateway", "status": "overridden"]
        let line = render(handler, event(.warning, "request done", metadata: ["status": "200", "method": "POST", "alpha": "1"]),
                          seconds: 1_795_924_800, nanoseconds: 42_000_000)
        // The event's metadata wins over the handler's for the same key.
        #expect(line == "2026-11-29T04:00:00.042Z warning nuri : alpha=1 method=POST service=gateway status=200 request done")

        let bare = render(LineLogHandler(label: "nuri.store", format: .text), event(.info, "started"), seconds: 0)
        #expect(bare == "1970-01-01T00:00:00.000Z info nuri.store : started")
    }

    @Test("JSON: one object with sorted keys, quotes, backslashes, newlines and control characters escaped")
    func json() throws {
        var handler = LineLogHandler(label: "nuri", format: .json)
        handler.metadata = ["service": "gateway"]
        let message = "line one\nline \"two\"\ttab\u{1}ctl\\back"
        let note = "a \"quoted\"\r\nvalue\u{1F}"
        let line = render(handler, event(.error, "\(message)", metadata: ["path": "/v1/chat", "note": "\(note)", "ünïcode": "서울"]),
                          seconds: 1_795_924_800, nanoseconds: 250_000_000)
        #expect(line == #"{"label":"nuri","level":"error","msg":"line one\nline \"two\"\ttab\u0001ctl\\back","note":"a \"quoted\"\r\nvalue\u001f","path":"/v1/chat","service":"gateway","ts":"2026-11-29T04:00:00.250Z","ünïcode":"서울"}"#)
        #expect(!line.contains("\n"), "one line")

        // It is valid JSON, and reads back as the values that were logged.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object == ["label": "nuri", "level": "error", "msg": message, "note": note, "path": "/v1/chat", "service": "gateway",
                           "ts": "2026-11-29T04:00:00.250Z", "ünïcode": "서울"])
    }

    @Test("JSON: metadata named like a fixed field does not replace it nor repeat the key")
    func jsonFixedFieldsWin() throws {
        let handler = LineLogHandler(label: "nuri", format: .json)
        let line = render(handler, event(.info, "real message", metadata: ["msg": "fake", "level": "critical", "ts": "then", "label": "x", "z": "1"]),
                          seconds: 0)
        #expect(line == #"{"label":"nuri","level":"info","msg":"real message","ts":"1970-01-01T00:00:00.000Z","z":"1"}"#)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object.count == 5)
    }
}
