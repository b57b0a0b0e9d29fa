/// The centre's GPUs: partitions of identical nodes. Counts are configuration; the default
/// describes the national centre's 10,000 GPUs.
public struct GPUPool: Codable, Sendable, Equatable {
    /// Nodes of one GPU model, scheduled together (a Slurm partition).
    public struct Partition: Codable, Sendable, Equatable {
        public var name: String
        /// Lower-case GPU model as Slurm's gres type names it: `h100`, `h200`, `b200`.
        public var gpuModel: String
        public var nodes: Int
        public var gpusPerNode: Int

        public init(name: String, gpuModel: String, nodes: Int, gpusPerNode: Int = 8) {
            self.name = name
            self.gpuModel = gpuModel
            self.nodes = nodes
            self.gpusPerNode = gpusPerNode
        }

        public var gpus: Int { nodes * gpusPerNode }
    }

    public var partitions: [Partition]

    public init(partitions: [Partition]) { self.partitions = partitions }

    public var totalGPUs: Int { partitions.reduce(0) { $0 + $1.gpus } }
    public var totalNodes: Int { partitions.reduce(0) { $0 + $1.nodes } }

    /// The national centre: 10,000 GPUs in 1,250 nodes of 8 — 6,000 H100, 3,000 H200, 1,000 B200.
    public static let nationalCentre = GPUPool(partitions: [
        Partition(name: "h100", gpuModel: "h100", nodes: 750),
        Partition(name: "h200", gpuModel: "h200", nodes: 375),
        Partition(name: "b200", gpuModel: "b200", nodes: 125),
    ])

    /// One partition of `gpus` GPUs (rounded up to whole nodes), as `simulate --gpus N` asks.
    public static func uniform(gpus: Int, gpusPerNode: Int = 8, gpuModel: String = "h100") -> GPUPool {
        let nodes = (max(gpus, 0) + gpusPerNode - 1) / gpusPerNode
        return GPUPool(partitions: [Partition(name: gpuModel, gpuModel: gpuModel, nodes: nodes, gpusPerNode: gpusPerNode)])
    }
}
