import Logging
import NuriHub
import NuriStore

/// Models the gateway serves straight out of the hub: `--model NAME=hub:owner/name[@rev][#file.gguf]`
/// becomes the blob's path, memory-mapped by the engine like any GGUF file (no copy).
enum HubModelSource {
    static let scheme = "hub:"

    static func resolve(_ specs: [ServerConfiguration.ModelSpec], database: Database, dataDirectory: String,
                        logger: Logger) async throws -> [ServerConfiguration.ModelSpec] {
        guard specs.contains(where: { $0.path.hasPrefix(scheme) }) else { return specs }
        let store = HubStore(database: database, dataDirectory: dataDirectory)
        var resolved: [ServerConfiguration.ModelSpec] = []
        for spec in specs {
            guard spec.path.hasPrefix(scheme) else {
                resolved.append(spec)
                continue
            }
            let reference = String(spec.path.dropFirst(scheme.count))
            do {
                let (path, commit, file) = try await store.modelFile(reference)
                logger.info("model from the hub", metadata: ["model": .string(spec.name), "repository": .string(reference),
                                                             "commit": .string(commit.id), "file": .string(file.value)])
                resolved.append(ServerConfiguration.ModelSpec(name: spec.name, path: path))
            } catch let error as HubError {
                throw ConfigurationError("model '\(spec.name)': \(spec.path): \(error.description) (import a GGUF with `nuri admin hub import FILE --repo owner/name`)")
            }
        }
        return resolved
    }
}
