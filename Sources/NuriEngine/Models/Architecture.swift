/// What each architecture file provides: how tokens become the residual stream, what one layer
/// does to it, and which norm and matrix turn it into logits. ``LanguageModel`` runs the loop.
///
/// Adding an architecture: a new file with a type conforming to this protocol (its header names
/// the reference implementation), a case in ``LanguageModel/architecture(for:file:config:)``,
/// and a test against llama.cpp's output for a real model.
protocol Architecture: Sendable {
    init(file: GGUFFile, config: ModelConfig) throws(EngineError)

    /// Writes the embeddings of `tokens` into `x` (`[tokens.count, embedding]`).
    func embed(_ tokens: ArraySlice<Int32>, into x: UnsafeMutablePointer<Float>)

    /// Runs layer `layer` on the residual stream `workspace.x` for `rows`, writing each row's key
    /// and value into its sequence's cache at its position.
    func layer(_ layer: Int, rows: Rows, workspace: Workspace, parallel: Parallel)

    /// The final norm's weights and the output matrix.
    var outputNorm: WeightVector { get }
    var output: WeightMatrix { get }
}

/// Loading helpers shared by the architectures.
struct TensorLoader {
    let file: GGUFFile
    let config: ModelConfig

    /// A matrix with `columns` inputs and `rows` outputs; `repack: false` for one only read by
    /// rows (the token embeddings), never multiplied.
    func matrix(_ name: String, columns: Int, rows: Int, repack: Bool = true) throws(EngineError) -> WeightMatrix {
        guard let tensor = file.tensor(named: name) else { throw .tensor(name: name, reason: "is missing") }
        guard tensor.rowLength == columns, tensor.rows == rows else {
            throw .tensor(name: name, reason: "has shape \(tensor.dimensions), expected [\(columns), \(rows)]")
        }
        return WeightMatrix(tensor, in: file, repack: repack)
    }

    /// A vector of `count` F32 values (norm weights, biases).
    func vector(_ name: String, count: Int) throws(EngineError) -> WeightVector {
        guard let tensor = file.tensor(named: name) else { throw .tensor(name: name, reason: "is missing") }
        guard tensor.type == .f32, tensor.elementCount == count else {
            throw .tensor(name: name, reason: "is \(GGMLType.name(of: tensor.type.rawValue)) \(tensor.dimensions), expected F32 [\(count)]")
        }
        guard let base = file.bytes(of: tensor).baseAddress else { throw .tensor(name: name, reason: "is empty") }
        return WeightVector(pointer: base.assumingMemoryBound(to: Float.self), count: count)
    }

    func optionalVector(_ name: String, count: Int) throws(EngineError) -> WeightVector? {
        file.tensor(named: name) == nil ? nil : try vector(name, count: count)
    }

    /// The output matrix: `output.weight`, or the token embeddings when they are tied.
    func outputMatrix() throws(EngineError) -> WeightMatrix {
        let name = file.tensor(named: "output.weight") == nil ? "token_embd.weight" : "output.weight"
        return try matrix(name, columns: config.embeddingLength, rows: config.vocabularySize)
    }
}

/// A vector of F32 weights (a norm's scale, a bias) in the read-only mapped file.
struct WeightVector: @unchecked Sendable {
    let pointer: UnsafePointer<Float>
    let count: Int
}
