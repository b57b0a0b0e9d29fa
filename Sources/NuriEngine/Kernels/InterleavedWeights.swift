import NuriKernelsAVX512

/// A weight matrix of 32-value blocks (Q4_0, Q4_1, Q5_0, Q8_0) repacked at load time for the
/// AVX-512 VNNI kernels: sixteen rows interleaved, values as unsigned bytes (two per byte for
/// the 4-bit types), scales and minimums as f16 beside them (layout in ``InterleavedProducts``).
/// Each row group's blocks are consecutive, so a product streams through memory once.
///
/// The same bytes as the file for Q4_0, Q4_1 and Q8_0; Q5_0 grows from 22 to 34 bytes per block
/// (its fifth bits are spread into whole bytes, which the kernels then read directly).
final class InterleavedWeights: @unchecked Sendable {
    // @unchecked: written once in init, read-only afterwards.
    let layout: InterleavedProducts.Layout
    let groups: Int
    let blocks: Int
    let storage: UnsafeMutableRawPointer
    let byteCount: Int

    static func supports(_ type: GGMLType) -> Bool { [.q4_0, .q4_1, .q5_0, .q8_0, .q4_K, .q6_K].contains(type) }

    /// - Parameter packed: called after each stretch of rows is copied (to give their pages back,
    ///   so that loading never holds a large matrix twice).
    init?(type: GGMLType, base: UnsafeRawPointer, rows: Int, columns: Int, rowBytes: Int,
          packed: (Range<Int>) -> Void = { _ in }) {
        guard Self.supports(type), columns % type.blockSize == 0 else { return nil }
        switch type {
        case .q4_1: layout = .init(nibbles: true, hasMinimum: true, offset: 0)
        case .q4_0: layout = .init(nibbles: true, hasMinimum: false, offset: 8)
        case .q5_0: layout = .init(nibbles: false, hasMinimum: false, offset: 16)
        case .q4_K: layout = .init(nibbles: true, hasMinimum: true, offset: 0, floatScales: true)
        case .q6_K: layout = .init(nibbles: false, hasMinimum: false, offset: 32, floatScales: true, halfScales: true)
        default: layout = .init(nibbles: false, hasMinimum: false, offset: 128)
        }
        activationFormat = type == .q4_K ? .q8_1K : type == .q6_K ? .q8_KHalves : layout.hasMinimum ? .q8_1 : .q8Sum
        blocks = columns / 32
        groups = (rows + 15) / 16
        byteCount = groups * blocks * layout.segmentBytes
        storage = .allocate(byteCount: byteCount, alignment: 64)
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
        var values = [UInt8](repeating: 0, count: 32)
        var released = 0
        for g in 0..<groups {
            if g > 0 && g % 256 == 0 {
                packed(released..<16 * g)
                released = 16 * g
            }
            for b in 0..<blocks {
                let segment = storage + (g * blocks + b) * layout.segmentBytes
                for i in 0..<16 where 16 * g + i < rows {
                    let (d, m) = Self.unpack(type, base + (16 * g + i) * rowBytes, block: b, into: &values)
                    if layout.nibbles {
                        for k in 0..<4 {
                            for x in 0..<4 {
                                segment.storeBytes(of: values[4 * k + x] | values[4 * (k + 4) + x] << 4, toByteOffset: 64 * k + 4 * i + x, as: UInt8.self)
                            }
                        }
                    } else {
                        for j in 0..<8 {
                            for x in 0..<4 { segment.storeBytes(of: values[4 * j + x], toByteOffset: 64 * j + 4 * i + x, as: UInt8.self) }
                        }
                    }
                    if layout.floatScales {
                        segment.storeBytes(of: d, toByteOffset: layout.valueBytes + 4 * i, as: Float.self)
                        segment.storeBytes(of: m, toByteOffset: layout.valueBytes + 64 + 4 * i, as: Float.self)
                    } else {
                        segment.storeBytes(of: Float16(d), toByteOffset: layout.valueBytes + 2 * i, as: Float16.self)
                        if layout.hasMinimum { segment.storeBytes(of: Float16(m), toByteOffset: layout.valueBytes + 32 + 2 * i, as: Float16.self) }
                    }
                }
            }
        }
        packed(released..<rows)
    }

    deinit { storage.deallocate() }

    /// The 32 values of block `b` (of 32 columns) of a row as unsigned bytes, with the block's
    /// scale and minimum (f16 values, exact as floats; f32 products for Q4_K), or for Q6_K the
    /// scales of its two halves.
    static func unpack(_ type: GGMLType, _ row: UnsafeRawPointer, block b: Int, into values: inout [UInt8]) -> (Float, Float) {
        if type == .q6_K {
            // Sub-block j of a super-block: half j / 4 of 128 values, quarter j % 4 of it, whose
            // low 4 bits are ql's low (quarters 0, 1) or high nibbles (2, 3), at +32 for odd
            // quarters, and high 2 bits are bits 2·quarter of qh; a scale (int8) for each 16.
            let superBlock = row + (b / 8) * 210, j = b % 8, half = j / 4, quarter = j % 4
            let ql = superBlock + 64 * half + (quarter % 2) * 32, qh = superBlock + 128 + 32 * half
            for l in 0..<32 {
                let low = ql.load(fromByteOffset: l, as: UInt8.self)
                let high = qh.load(fromByteOffset: l, as: UInt8.self)
                values[l] = (quarter < 2 ? low & 0x0F : low >> 4) | ((high >> (2 * quarter)) & 3) << 4
            }
            let d = Float(superBlock.loadUnaligned(fromByteOffset: 208, as: Float16.self))
            let scales = superBlock + 192 + 8 * half + 2 * quarter
            return (d * Float(scales.load(as: Int8.self)), d * Float(scales.load(fromByteOffset: 1, as: Int8.self)))
        }
        if type == .q4_K {
            // Sub-block b % 8 of super-block b / 8: each byte of qs holds sub-blocks 2k (low
            // nibble) and 2k+1 (high); value = d·sc·q − dmin·m, the products as ggml forms them.
            let superBlock = row + (b / 8) * 144, j = b % 8
            let d = Float(superBlock.loadUnaligned(as: Float16.self))
            let dmin = Float(superBlock.loadUnaligned(fromByteOffset: 2, as: Float16.self))
            let (sc, m) = KQuants.scaleAndMin(superBlock + 4, j)
            let qs = superBlock + 16 + 32 * (j / 2)
            for l in 0..<32 {
                let byte = qs.load(fromByteOffset: l, as: UInt8.self)
                values[l] = j % 2 == 0 ? byte & 0x0F : byte >> 4
            }
            return (d * Float(sc), -(dmin * Float(m)))
        }
        let block = row + b * type.bytesPerBlock
        let d = Float(block.loadUnaligned(as: Float16.self))
        switch type {
        case .q4_1, .q4_0:
            // Q4_1 keeps its minimum after d, then the nibbles; Q4_0 has the nibbles after d.
            let nibbles = block + (type == .q4_1 ? 4 : 2)
            for j in 0..<16 {
                let byte = nibbles.load(fromByteOffset: j, as: UInt8.self)
                values[j] = byte & 0x0F
                values[j + 16] = byte >> 4
            }
            if type == .q4_1 { return (d, Float(block.loadUnaligned(fromByteOffset: 2, as: Float16.self))) }
        case .q5_0:
            let high = block.loadUnaligned(fromByteOffset: 2, as: UInt32.self)
            for j in 0..<16 {
                let byte = block.load(fromByteOffset: 6 + j, as: UInt8.self)
                values[j] = byte & 0x0F | UInt8((high >> j) & 1) << 4
                values[j + 16] = byte >> 4 | UInt8((high >> (j + 16)) & 1) << 4
            }
        default:  // Q8_0: signed bytes, stored offset by 128.
            for j in 0..<32 { values[j] = block.load(fromByteOffset: 2 + j, as: UInt8.self) ^ 0x80 }
        }
        return (d, 0)
    }

    /// The activation format the kernels read: Q8_1 (f32 d and s) for Q4_1, Q8_K's values in
    /// the same 40-byte blocks for Q4_K, else Q8 with the integer sum of each block.
    let activationFormat: ActivationFormat

    func multiply(activations: UnsafeRawPointer, activationBytes: Int, tokens: Int, rows: Int, groups range: Range<Int>,
                  output: UnsafeMutablePointer<Float>) {
        InterleavedProducts.multiply(UnsafeRawPointer(storage), layout: layout, blocks: blocks, groups: range, rows: rows,
                                     activations: activations, activationBytes: activationBytes, tokens: tokens,
                                     output: output, outputStride: rows)
    }
}
