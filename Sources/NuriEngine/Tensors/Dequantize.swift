/// Reference dequantisation: one row of any supported type to `Float`, following ggml's
/// definitions of the block formats (see ``GGMLType``). Used for embedding lookups, for tests,
/// and as the ground truth the fast dot-product kernels are checked against.
public enum Dequantize {
    /// Converts `count` values (a multiple of the type's block size) starting at `source`.
    public static func row(_ type: GGMLType, from source: UnsafeRawPointer, to destination: UnsafeMutablePointer<Float>, count: Int) {
        let blocks = count / type.blockSize
        switch type {
        case .f32:
            destination.update(from: source.assumingMemoryBound(to: Float.self), count: count)
        case .f16:
            for i in 0..<count { destination[i] = Float(source.loadUnaligned(fromByteOffset: 2 * i, as: Float16.self)) }
        case .bf16:
            for i in 0..<count {
                let bits = UInt32(source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16
                destination[i] = Float(bitPattern: bits)
            }
        case .q4_0:
            for b in 0..<blocks {
                let block = source + b * 18, out = destination + b * 32
                let d = Float(block.loadUnaligned(as: Float16.self))
                for j in 0..<16 {
                    let byte = block.load(fromByteOffset: 2 + j, as: UInt8.self)
                    out[j] = d * Float(Int(byte & 0x0F) - 8)
                    out[j + 16] = d * Float(Int(byte >> 4) - 8)
                }
            }
        case .q4_1:
            for b in 0..<blocks {
                let block = source + b * 20, out = destination + b * 32
                let d = Float(block.loadUnaligned(as: Float16.self))
                let m = Float(block.loadUnaligned(fromByteOffset: 2, as: Float16.self))
                for j in 0..<16 {
                    let byte = block.load(fromByteOffset: 4 + j, as: UInt8.self)
                    out[j] = d * Float(byte & 0x0F) + m
                    out[j + 16] = d * Float(byte >> 4) + m
                }
            }
        case .q5_0, .q5_1:
            let hasMin = type == .q5_1
            let size = type.bytesPerBlock
            for b in 0..<blocks {
                let block = source + b * size, out = destination + b * 32
                let d = Float(block.loadUnaligned(as: Float16.self))
                let m = hasMin ? Float(block.loadUnaligned(fromByteOffset: 2, as: Float16.self)) : 0
                let headerBytes = hasMin ? 4 : 2
                let high = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: headerBytes, as: UInt32.self))
                let qs = headerBytes + 4
                for j in 0..<16 {
                    let byte = block.load(fromByteOffset: qs + j, as: UInt8.self)
                    let h0 = UInt8((high >> UInt32(j)) & 1) << 4
                    let h1 = UInt8((high >> UInt32(j + 16)) & 1) << 4
                    let q0 = Int((byte & 0x0F) | h0), q1 = Int((byte >> 4) | h1)
                    if hasMin {
                        out[j] = d * Float(q0) + m
                        out[j + 16] = d * Float(q1) + m
                    } else {
                        out[j] = d * Float(q0 - 16)
                        out[j + 16] = d * Float(q1 - 16)
                    }
                }
            }
        case .q8_0:
            for b in 0..<blocks {
                let block = source + b * 34, out = destination + b * 32
                let d = Float(block.loadUnaligned(as: Float16.self))
                for j in 0..<32 { out[j] = d * Float(block.load(fromByteOffset: 2 + j, as: Int8.self)) }
            }
        case .q4_K:
            for b in 0..<blocks {
                let block = source + b * 144, out = destination + b * 256
                let d = Float(block.loadUnaligned(as: Float16.self))
                let dmin = Float(block.loadUnaligned(fromByteOffset: 2, as: Float16.self))
                let scales = block + 4, qs = block + 16
                // 8 sub-blocks of 32; each byte of qs holds sub-block 2k (low nibble) and 2k+1 (high).
                for pair in 0..<4 {
                    let (sc0, m0) = KQuants.scaleAndMin(scales, 2 * pair)
                    let (sc1, m1) = KQuants.scaleAndMin(scales, 2 * pair + 1)
                    let d0 = d * Float(sc0), min0 = dmin * Float(m0)
                    let d1 = d * Float(sc1), min1 = dmin * Float(m1)
                    for l in 0..<32 {
                        let byte = qs.load(fromByteOffset: 32 * pair + l, as: UInt8.self)
                        out[64 * pair + l] = d0 * Float(byte & 0x0F) - min0
                        out[64 * pair + 32 + l] = d1 * Float(byte >> 4) - min1
                    }
                }
            }
        case .q5_K:
            for b in 0..<blocks {
                let block = source + b * 176, out = destination + b * 256
                let d = Float(block.loadUnaligned(as: Float16.self))
                let dmin = Float(block.loadUnaligned(fromByteOffset: 2, as: Float16.self))
                let scales = block + 4, qh = block + 16, qs = block + 48
                for pair in 0..<4 {
                    let (sc0, m0) = KQuants.scaleAndMin(scales, 2 * pair)
                    let (sc1, m1) = KQuants.scaleAndMin(scales, 2 * pair + 1)
                    let d0 = d * Float(sc0), min0 = dmin * Float(m0)
                    let d1 = d * Float(sc1), min1 = dmin * Float(m1)
                    let bit0 = UInt8(1 << (2 * pair)), bit1 = UInt8(1 << (2 * pair + 1))
                    for l in 0..<32 {
                        let byte = qs.load(fromByteOffset: 32 * pair + l, as: UInt8.self)
                        let high = qh.load(fromByteOffset: l, as: UInt8.self)
                        let q0 = (byte & 0x0F) + (high & bit0 != 0 ? 16 : 0)
                        let q1 = (byte >> 4) + (high & bit1 != 0 ? 16 : 0)
                        out[64 * pair + l] = d0 * Float(q0) - min0
                        out[64 * pair + 32 + l] = d1 * Float(q1) - min1
                    }
                }
            }
        case .q6_K:
            for b in 0..<blocks {
                let block = source + b * 210, out = destination + b * 256
                let ql = block, qh = block + 128, sc = block + 192
                let d = Float(block.loadUnaligned(fromByteOffset: 208, as: Float16.self))
                // Two halves of 128 values; in each, ql holds 64 bytes and qh 32 bytes.
                for half in 0..<2 {
                    let l0 = 64 * half, h0 = 32 * half, s0 = 8 * half, o = 128 * half
                    for l in 0..<32 {
                        let group = l / 16
                        let lowA = ql.load(fromByteOffset: l0 + l, as: UInt8.self)
                        let lowB = ql.load(fromByteOffset: l0 + l + 32, as: UInt8.self)
                        let high = qh.load(fromByteOffset: h0 + l, as: UInt8.self)
                        let q1 = Int((lowA & 0x0F) | ((high >> 0) & 3) << 4) - 32
                        let q2 = Int((lowB & 0x0F) | ((high >> 2) & 3) << 4) - 32
                        let q3 = Int((lowA >> 4) | ((high >> 4) & 3) << 4) - 32
                        let q4 = Int((lowB >> 4) | ((high >> 6) & 3) << 4) - 32
                        out[o + l] = d * Float(sc.load(fromByteOffset: s0 + group, as: Int8.self)) * Float(q1)
                        out[o + l + 32] = d * Float(sc.load(fromByteOffset: s0 + group + 2, as: Int8.self)) * Float(q2)
                        out[o + l + 64] = d * Float(sc.load(fromByteOffset: s0 + group + 4, as: Int8.self)) * Float(q3)
                        out[o + l + 96] = d * Float(sc.load(fromByteOffset: s0 + group + 6, as: Int8.self)) * Float(q4)
                    }
                }
            }
        }
    }

    /// A whole row of a tensor as a new array (for tests and one-off lookups).
    public static func row(of tensor: GGUFTensorInfo, in file: GGUFFile, index: Int) -> [Float] {
        let bytes = file.bytes(of: tensor)
        return [Float](unsafeUninitializedCapacity: tensor.rowLength) { buffer, initialised in
            if let base = bytes.baseAddress, let out = buffer.baseAddress {
                row(tensor.type, from: base + index * tensor.rowBytes, to: out, count: tensor.rowLength)
            }
            initialised = tensor.rowLength
        }
    }
}

/// Helpers shared by the K-quant formats.
enum KQuants {
    /// The 6-bit scale and min of sub-block `j` (0..<8) from Q4_K/Q5_K's 12 packed bytes:
    /// sub-blocks 0–3 keep theirs in the low 6 bits of bytes 0–3 (scales) and 4–7 (mins);
    /// sub-blocks 4–7 split theirs between the low/high nibbles of bytes 8–11 and the top
    /// 2 bits of bytes 0–7.
    @inline(__always)
    static func scaleAndMin(_ q: UnsafeRawPointer, _ j: Int) -> (UInt8, UInt8) {
        func byte(_ i: Int) -> UInt8 { q.load(fromByteOffset: i, as: UInt8.self) }
        if j < 4 {
            return (byte(j) & 63, byte(j + 4) & 63)
        }
        let scale = (byte(j + 4) & 0x0F) | ((byte(j - 4) >> 6) << 4)
        let min = (byte(j + 4) >> 4) | ((byte(j) >> 6) << 4)
        return (scale, min)
    }
}
