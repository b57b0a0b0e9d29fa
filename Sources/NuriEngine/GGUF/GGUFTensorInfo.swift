/// Where one tensor lives in a GGUF file, checked against the file's size.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// Extents, innermost first (ggml's `ne`): a matrix of `rows` rows of `dimensions[0]` values.
    public let dimensions: [Int]
    public let type: GGMLType
    /// Absolute byte offset of the first element in the file.
    public let fileOffset: Int
    /// Bytes the tensor occupies.
    public let byteCount: Int

    /// Values in the tensor.
    public var elementCount: Int { dimensions.reduce(1, *) }
    /// Values per row (ggml's `ne[0]`).
    public var rowLength: Int { dimensions.first ?? 1 }
    /// Rows: the product of the outer extents.
    public var rows: Int { dimensions.dropFirst().reduce(1, *) }
    /// Bytes per row.
    public var rowBytes: Int { type.rowBytes(rowLength) }
}
