import Foundation
import Testing
@testable import NuriGuard

/// The line format of `nuri pii scan`.
@Suite("JSON lines")
struct JSONLineTests {
    @Test("keys in order, code-point offsets, two-decimal confidence")
    func format() throws {
        let line = PIIScanner().scan("☎️ 010-1234-5678, 당뇨").jsonLine()
        #expect(line == #"{"entities": [{"type": "PHONE", "start": 3, "end": 16, "confidence": 0.95, "rule": "phone.mobile"}], "sensitive": ["health"]}"#)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect((object?["entities"] as? [[String: Any]])?.count == 1)
        #expect(PIIScanner().scan("nothing").jsonLine(includingSensitive: false) == #"{"entities": []}"#)
    }

    @Test("decimals")
    func decimals() {
        #expect(ScanResult.decimal(0.95) == "0.95")
        #expect(ScanResult.decimal(0.9) == "0.9")
        #expect(ScanResult.decimal(1) == "1.0")
        #expect(ScanResult.decimal(0.05) == "0.05")
        #expect(ScanResult.decimal(-3) == "0.0")
    }
}
