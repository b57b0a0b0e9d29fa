/// Names Nuri writes into Slurm (accounts, QOS, users): checked before any reaches a command
/// line, so that a name can never be read as an option or a second value.
public enum SlurmName {
    /// Names Slurm gives a meaning of its own.
    static let reserved: Set<String> = ["root", "normal", "all", "none", "default"]

    /// A project's name, which is also its Slurm account and QOS: 2–40 characters of lower-case
    /// ASCII letters, digits, `-` and `_`, starting with a letter.
    public static func validateProject(_ name: String) throws(ComputeError) {
        let scalars = Array(name.unicodeScalars)
        let ok = (2...40).contains(scalars.count)
            && ("a"..."z").contains(scalars[0])
            && scalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
        guard ok, !reserved.contains(name), !name.hasPrefix("org-") else {
            throw .invalidInput(param: "name", message: "invalid project name '\(name.prefix(60))': use 2–40 lower-case ASCII letters, digits, '-' or '_', "
                                + "starting with a letter (it becomes the project's Slurm account; not root, normal, or org-…)")
        }
    }

    /// The Slurm account that groups an organisation's projects (Fair Tree's upper level):
    /// `org-` and the organisation's name in lower case (Nuri's names are unique regardless of case).
    public static func organisationAccount(_ organisation: String) -> String {
        "org-" + organisation.lowercased()
    }

    /// Whether `text` is safe as one value of a Slurm command: letters, digits, `-`, `_`, `.`
    /// (used for organisation names and the user name before they are written).
    static func isSafeValue(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 80 && !text.hasPrefix("-") && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "."
        }
    }
}
