/// A weight matrix in a GGUF file: `rows` rows (outputs) of `columns` values (inputs), each row
/// `rowBytes` bytes of `type`. Points into the memory-mapped file; lives as long as the file.
struct WeightMatrix: @unchecked Sendable {
    let name: String
    let type: GGMLType
    let base: UnsafeRawPointer
    let rows: Int
    let columns: Int
    let rowBytes: Int

    init(_ tensor: GGUFTensorInfo, in file: GGUFFile) {
        name = tensor.name
        type = tensor.type
        // Tensors have at least one block, so the address exists.
        base = file.bytes(of: tensor).baseAddress ?? UnsafeRawPointer(bitPattern: 64)!
        rows = tensor.rows
        columns = tensor.rowLength
        rowBytes = tensor.rowBytes
    }

    /// Row `index` dequantised into `destination` (`columns` floats): an embedding lookup.
    func row(_ index: Int, into destination: UnsafeMutablePointer<Float>) {
        Dequantize.row(type, from: base + index * rowBytes, to: destination, count: columns)
    }
}
