/// A weight matrix in a GGUF file: `rows` rows (outputs) of `columns` values (inputs), each row
/// `rowBytes` bytes of `type`. Points into the memory-mapped file; lives as long as the file.
struct WeightMatrix: @unchecked Sendable {
    let name: String
    let type: GGMLType
    let base: UnsafeRawPointer
    let rows: Int
    let columns: Int
    let rowBytes: Int
    /// The same weights repacked for the AVX-512 VNNI kernels, when the CPU has them and the
    /// type is one they take (``InterleavedWeights``).
    let interleaved: InterleavedWeights?

    init(_ tensor: GGUFTensorInfo, in file: GGUFFile, repack: Bool = true) {
        name = tensor.name
        type = tensor.type
        // Tensors have at least one block, so the address exists.
        base = file.bytes(of: tensor).baseAddress ?? UnsafeRawPointer(bitPattern: 64)!
        rows = tensor.rows
        columns = tensor.rowLength
        rowBytes = tensor.rowBytes
        let (offset, rowBytes) = (tensor.fileOffset, self.rowBytes)
        interleaved = repack && CPUFeatures.avx512VNNI
            ? InterleavedWeights(type: type, base: base, rows: rows, columns: columns, rowBytes: rowBytes) { packed in
                file.releasePages(offset + packed.lowerBound * rowBytes..<offset + packed.upperBound * rowBytes)
            } : nil
    }

    /// A matrix at `base` (tests build small ones in memory).
    init(name: String, type: GGMLType, base: UnsafeRawPointer, rows: Int, columns: Int, repack: Bool) {
        self.name = name
        self.type = type
        self.base = base
        self.rows = rows
        self.columns = columns
        rowBytes = type.rowBytes(columns)
        interleaved = repack && CPUFeatures.avx512VNNI
            ? InterleavedWeights(type: type, base: base, rows: rows, columns: columns, rowBytes: rowBytes) : nil
    }

    /// Row `index` dequantised into `destination` (`columns` floats): an embedding lookup.
    func row(_ index: Int, into destination: UnsafeMutablePointer<Float>) {
        Dequantize.row(type, from: base + index * rowBytes, to: destination, count: columns)
    }
}
