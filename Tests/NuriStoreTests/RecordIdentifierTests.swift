import NuriStore
import Testing

@Suite("Record identifiers")
struct RecordIdentifierTests {
    static let base62 = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    func checkShape(_ id: String, prefix: String) {
        #expect(id.hasPrefix(prefix + "_"), "\(id)")
        #expect(id.count == prefix.count + 1 + 20, "\(id)")
        #expect(id.dropFirst(prefix.count + 1).allSatisfy { Self.base62.contains($0) }, "\(id)")
    }

    @Test("time-ordered ids made at increasing milliseconds sort in that order as strings")
    func timeOrderedSort() {
        // Around base-62 digit carries, and real dates (2023, 2026, one millisecond apart, 2100).
        var times = [0, 1, 9, 10, 35, 36, 61, 62, 63, 3_843, 3_844, 238_327, 238_328,
                     1_700_000_000_000, 1_795_924_800_000, 1_795_924_800_001, 1_795_924_800_061, 1_795_924_800_062, 4_107_542_400_000]
        // And random instants up to the year 8000 or so.
        times += (0..<500).map { _ in Int.random(in: 0..<200_000_000_000_000) }
        times = Array(Set(times)).sorted()
        let ids = times.map { RecordIdentifier.makeTimeOrdered("use", milliseconds: $0) }
        for (earlier, later) in zip(ids, ids.dropFirst()) {
            #expect(earlier < later)
        }
        #expect(ids.shuffled().sorted() == ids)
        for id in ids { checkShape(id, prefix: "use") }
    }

    @Test("ids made in the same millisecond differ, and share their time part")
    func sameMillisecond() {
        let ids = (0..<1_000).map { _ in RecordIdentifier.makeTimeOrdered("use", milliseconds: 1_795_924_800_123) }
        #expect(Set(ids).count == ids.count)
        #expect(Set(ids.map { $0.prefix(4 + 8) }).count == 1)
        for id in ids { checkShape(id, prefix: "use") }
        checkShape(RecordIdentifier.makeTimeOrdered("audit_event", milliseconds: 5), prefix: "audit_event")
    }

    @Test("a batch of ids from one call: all different, all of the one millisecond, and unlike the next batch's")
    func batch() {
        let first = RecordIdentifier.makeTimeOrdered("use", milliseconds: 1_795_924_800_123, count: 1_000)
        let second = RecordIdentifier.makeTimeOrdered("use", milliseconds: 1_795_924_800_123, count: 1_000)
        #expect(first.count == 1_000 && Set(first + second).count == 2_000)
        #expect(Set(first.map { $0.prefix(4 + 8) }) == [first[0].prefix(4 + 8)])
        #expect(first[0].prefix(4 + 8) == RecordIdentifier.makeTimeOrdered("use", milliseconds: 1_795_924_800_123).prefix(4 + 8))
        for id in first { checkShape(id, prefix: "use") }
        #expect(RecordIdentifier.makeTimeOrdered("use", milliseconds: 5, count: 0).isEmpty)
    }

    @Test("isBase62 accepts exactly the 62 characters of the alphabet, of all 256 bytes")
    func base62Membership() {
        for byte in UInt8.min...UInt8.max {
            #expect(RecordIdentifier.isBase62(byte) == RecordIdentifier.alphabet.contains(byte), "byte \(byte)")
        }
    }

    @Test("hex text: two lower-case digits per byte, in order")
    func hex() {
        #expect(Hex.string([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
        #expect(Hex.string([UInt8]()) == "")
    }
}
