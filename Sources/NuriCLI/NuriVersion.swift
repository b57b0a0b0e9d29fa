/// The version this binary reports.
enum NuriVersion {
    static let current = "0.1.0"
}
