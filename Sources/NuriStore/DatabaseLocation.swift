import Foundation

/// Where Nuri keeps its state: an SQLite file (the default, nothing to install) or a PostgreSQL
/// server (when several gateway replicas share state).
public enum DatabaseLocation: Sendable, Equatable {
    /// An SQLite database file at this path. Created, with its directory, on first open.
    case sqlite(path: String)
    /// A PostgreSQL server. `url` is a `postgres://user:password@host:port/database` URL without
    /// Nuri's own query options; `schema`, when set, is created if missing and used as the
    /// search path, so several Nuri installations can share one database.
    case postgres(url: String, schema: String?)

    /// The SQLite file's name inside a data directory.
    public static let sqliteFileName = "nuri.sqlite"

    /// The default location for a data directory: its SQLite file.
    public static func sqlite(inDataDirectory directory: String) -> DatabaseLocation {
        .sqlite(path: (directory as NSString).appendingPathComponent(sqliteFileName))
    }

    /// Parses a database URL as an operator writes it.
    ///
    /// Accepted forms: `postgres://…` or `postgresql://…` (optionally with `?schema=NAME`),
    /// `sqlite:///absolute/path.sqlite` or `sqlite:relative/path.sqlite`.
    public init(url string: String) throws(StoreError) {
        let trimmed = string.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("sqlite:") {
            var path = String(trimmed.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else {
                throw .invalidURL(redacted: trimmed, reason: "an sqlite: URL needs a file path, e.g. sqlite:///var/lib/nuri/nuri.sqlite")
            }
            self = .sqlite(path: path)
            return
        }
        guard trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://"),
              var components = URLComponents(string: trimmed), components.host?.isEmpty == false
        else {
            throw .invalidURL(
                redacted: Self.redact(trimmed),
                reason: "expected postgres://USER:PASSWORD@HOST:PORT/DATABASE or sqlite:///PATH"
            )
        }
        var schema: String?
        var remaining: [URLQueryItem] = []
        for item in components.queryItems ?? [] {
            if item.name == "schema" { schema = item.value } else { remaining.append(item) }
        }
        if let schema, !Self.isPlainIdentifier(schema) {
            throw .invalidURL(
                redacted: Self.redact(trimmed),
                reason: "schema must be letters, digits and underscores, starting with a letter"
            )
        }
        components.queryItems = remaining.isEmpty ? nil : remaining
        self = .postgres(url: components.string ?? trimmed, schema: schema)
    }

    /// A description safe to print or log: the password of a PostgreSQL URL is replaced by `***`.
    public var redactedDescription: String {
        switch self {
        case .sqlite(let path): return "sqlite://\(path)"
        case .postgres(let url, let schema):
            let base = Self.redact(url)
            guard let schema else { return base }
            return base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
        }
    }

    /// Replaces the password in a URL with `***`.
    public static func redact(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "postgres://***"
    }

    static func isPlainIdentifier(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        guard let first = scalars.first, scalars.count <= 63, first.isASCIILetter else { return false }
        return scalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "_" }
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
