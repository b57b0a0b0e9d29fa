/// NuriEngine runs GGUF language models on the CPU, in Swift.
///
/// Sections, in the order a model is used (see each folder):
/// - `GGUF/`: the file format, memory-mapped and validated;
/// - `Tensors/`: tensor types and their dequantisation;
/// - `Kernels/`: the compute kernels (matrix-vector products, norms, RoPE, activations);
/// - `Models/`: one file per architecture;
/// - `Tokenizer/`: byte-level BPE and SentencePiece from GGUF metadata;
/// - `Chat/`: chat templates (a Jinja subset);
/// - `Sampling/`: samplers, stop strings, log-probabilities;
/// - `Generation/`: the loop that ties them together.
public enum NuriEngine {
    /// The engine's version, reported by `nuri version`.
    public static let version = "0.1.0"
}
