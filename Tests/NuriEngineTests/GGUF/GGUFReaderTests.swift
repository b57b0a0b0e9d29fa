import Foundation
import NuriEngine
import Testing

@Suite("GGUF reader")
struct GGUFReaderTests {
    func parse(_ bytes: [UInt8]) throws -> GGUFFile {
        try bytes.withUnsafeBytes { buffer in
            // Copy into memory that outlives the closure (the file keeps pointers into it).
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(buffer.count, 1), alignment: 64)
            copy.copyMemory(from: buffer)
            return try GGUFFile(bytes: UnsafeRawBufferPointer(copy))
        }
    }

    @Test("every metadata type and tensor info of a known file reads back")
    func readsKnownFile() throws {
        let file = try parse(GGUFBuilder.sample().build())
        #expect(file.version == 3)
        #expect(file.string("general.architecture") == "llama")
        #expect(file.string("general.name") == "테스트 모델")
        #expect(file.int("llama.block_count") == 2)
        #expect(file.float("llama.rope.freq_base") == 10000)
        #expect(file.int("test.int8") == -3 && file.int("test.uint8") == 250)
        #expect(file.int("test.int16") == -300 && file.int("test.uint16") == 60000)
        #expect(file.int("test.int32") == -70000 && file.int("test.uint64") == 1 << 40 && file.int("test.int64") == -(1 << 40))
        #expect(file.metadata["test.float64"] == .float64(0.125))
        #expect(file.bool("test.bool") == true)
        #expect(file.strings("tokenizer.ggml.tokens") == ["<unk>", "a", "한"])
        #expect(file.floats("tokenizer.ggml.scores") == [0, -1.5, -2.5])
        #expect(file.ints("tokenizer.ggml.token_type") == [2, 1, 1])

        let f32 = try #require(file.tensor(named: "weights.f32"))
        #expect(f32.dimensions == [4, 2] && f32.rows == 2 && f32.rowLength == 4 && f32.byteCount == 32)
        let values = file.bytes(of: f32).withMemoryRebound(to: Float.self) { Array($0) }
        #expect(values == (0..<8).map { Float($0) * 0.5 })
        let q8 = try #require(file.tensor(named: "weights.q8_0"))
        #expect(q8.type == .q8_0 && q8.byteCount == 34 && q8.fileOffset % 32 == 0)
    }

    @Test("version 2 files read too; other versions are refused")
    func versions() throws {
        var builder = GGUFBuilder.sample()
        builder.version = 2
        #expect(try parse(builder.build()).version == 2)
        builder.version = 4
        #expect(throws: GGUFError.unsupportedVersion(4)) { try parse(builder.build()) }
    }

    enum Damage: String, CaseIterable { case notGGUF, truncatedHeader, truncatedData }

    @Test("clear errors name what is wrong", arguments: [
        (Damage.notGGUF, "not a GGUF file"),
        (.truncatedHeader, "truncated"),
        (.truncatedData, "weights.q8_0"),
    ])
    func errors(damage: Damage, expected: String) {
        var bytes = GGUFBuilder.sample().build()
        let name = damage.rawValue
        switch damage {
        case .notGGUF: bytes[0] = UInt8(ascii: "X")
        case .truncatedHeader: bytes = Array(bytes.prefix(30))
        case .truncatedData: bytes = Array(bytes.dropLast(40))
        }
        do {
            _ = try parse(bytes)
            Issue.record("\(name): should be refused")
        } catch {
            #expect(String(describing: error).contains(expected), "\(name): \(String(describing: error))")
        }
    }

    @Test("a tensor of an unsupported type, a misaligned offset or a bad row length is refused by name")
    func badTensors() {
        var builder = GGUFBuilder.sample()
        builder.tensors.append(.init(name: "odd.q8_0", dimensions: [33], type: .q8_0, data: Array(repeating: 0, count: 34)))
        #expect(throws: GGUFError.self) { try parse(builder.build()) }
        do {
            _ = try parse(builder.build())
        } catch {
            #expect(String(describing: error).contains("odd.q8_0") && String(describing: error).contains("block of 32"))
        }
        var unsupported = GGUFBuilder.sample().build()
        // The type code of the first tensor: patch it to IQ2_XXS (16).
        let name = Array("weights.f32".utf8)
        if let at = unsupported.indices.first(where: { Array(unsupported[$0..<min($0 + name.count, unsupported.count)]) == name }) {
            let typeOffset = at + name.count + 4 + 2 * 8
            unsupported[typeOffset] = 16
            do {
                _ = try parse(unsupported)
                Issue.record("IQ2_XXS should be refused")
            } catch {
                #expect(String(describing: error).contains("IQ2_XXS") && String(describing: error).contains("weights.f32"))
            }
        }
    }

    /// Thousands of mutated and truncated files: each must parse or be refused with a GGUFError.
    /// (A crash would end the test process; bounds are what is being tested.)
    @Test("mutated and truncated files never crash the reader")
    func fuzz() throws {
        let original = GGUFBuilder.sample().build()
        var generator = SeededGenerator(seed: 0x6E75_7269)
        var refused = 0, accepted = 0
        for iteration in 0..<6_000 {
            var bytes = original
            switch iteration % 3 {
            case 0:
                bytes = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count))))
            case 1:
                for _ in 0..<(1 + Int(generator.next() % 4)) {
                    let at = Int(generator.next() % UInt64(bytes.count))
                    bytes[at] = UInt8(truncatingIfNeeded: generator.next())
                }
            default:
                // Overwrite an 8-byte field with an extreme value (counts, lengths, offsets).
                let at = Int(generator.next() % UInt64(bytes.count - 8))
                let extreme: [UInt64] = [.max, .max / 2, 1 << 32, UInt64(bytes.count), 0]
                withUnsafeBytes(of: extreme[Int(generator.next() % 5)].littleEndian) { bytes.replaceSubrange(at..<at + 8, with: $0) }
            }
            do {
                let file = try parse(bytes)
                for tensor in file.tensors { _ = file.bytes(of: tensor).reduce(0 as UInt8) { $0 &+ $1 } }
                accepted += 1
            } catch {
                refused += 1
            }
        }
        #expect(refused > 3_000, "most mutations must be refused (refused \(refused), accepted \(accepted))")
    }
}
