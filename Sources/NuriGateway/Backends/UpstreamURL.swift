/// Where an upstream server listens: `http://host[:port][/path]` or `https://…`, parsed once when
/// a remote backend is configured rather than on every request.
public struct UpstreamURL: Hashable, Sendable, CustomStringConvertible {
    public let tls: Bool
    /// The host name or address, without the brackets of an IPv6 literal.
    public let host: String
    public let port: Int
    /// The path every request path is appended to, without a trailing slash (`/v1`, or empty).
    public let basePath: String

    /// Parses `url`, or returns nil if it is not an absolute http(s) URL with a host.
    public init?(_ url: String) {
        let rest: Substring
        if url.hasPrefix("http://") {
            tls = false
            rest = url.dropFirst("http://".count)
        } else if url.hasPrefix("https://") {
            tls = true
            rest = url.dropFirst("https://".count)
        } else {
            return nil
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var path = rest[authorityEnd...]
        guard !path.contains("?"), !path.contains("#") else { return nil }
        while path.hasSuffix("/") { path = path.dropLast() }
        basePath = String(path)
        let defaultPort = tls ? 443 : 80
        if authority.hasPrefix("[") {
            // An IPv6 literal: [::1] or [::1]:8000.
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                port = defaultPort
            } else {
                let digits = after.dropFirst()
                guard after.hasPrefix(":"), digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(digits),
                      (1...65_535).contains(number) else { return nil }
                port = number
            }
        } else if let colon = authority.lastIndex(of: ":") {
            let digits = authority[authority.index(after: colon)...]
            guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(digits), (1...65_535).contains(number) else { return nil }
            host = String(authority[..<colon])
            port = number
        } else {
            host = String(authority)
            port = defaultPort
        }
        guard !host.isEmpty else { return nil }
    }

    /// The `Host` header: the host, and the port unless it is the scheme's default.
    public var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (tls ? 443 : 80) ? name : "\(name):\(port)"
    }

    /// The request target for `path` (e.g. `chat/completions`) under the base path.
    public func target(_ path: String) -> String {
        basePath + "/" + path
    }

    public var description: String {
        "\(tls ? "https" : "http")://\(hostHeader)\(basePath)"
    }
}
