import Foundation

/// What the CPU can run beyond the engine's compiled level (x86-64-v3), read once at start.
///
/// Linux lists in /proc/cpuinfo the features the CPU has and the kernel enabled (AVX-512 state
/// saving included). `NURI_KERNELS=avx2` keeps the AVX2 kernels, to compare the two.
enum CPUFeatures {
    /// AVX-512 F/CD/BW/DQ/VL with VNNI: what `NuriKernelsAVX512` is compiled for.
    static let avx512VNNI: Bool = {
        if ProcessInfo.processInfo.environment["NURI_KERNELS"] == "avx2" { return false }
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        return ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512_vnni"].allSatisfy(flags.contains)
    }()

    /// The kernels in use, for `nuri bench` and logs.
    static var kernelName: String { avx512VNNI ? "avx512-vnni" : "avx2" }
}
