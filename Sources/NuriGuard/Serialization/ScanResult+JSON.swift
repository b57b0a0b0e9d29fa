extension ScanResult {
    /// The result as one line of JSON, the format of `nuri pii scan`:
    /// `{"entities": [{"type": "RRN", "start": 5, "end": 19, "confidence": 0.95, "rule": "rrn.checksum"}], "sensitive": ["health"]}`
    /// Keys in that order; `sensitive` only when asked for (and then always, possibly empty).
    public func jsonLine(includingSensitive: Bool = true) -> String {
        var json = "{\"entities\": ["
        for (index, entity) in entities.enumerated() {
            if index > 0 { json += ", " }
            json += "{\"type\": \"\(entity.type.rawValue)\", \"start\": \(entity.start), \"end\": \(entity.end), "
            json += "\"confidence\": \(Self.decimal(entity.confidence)), \"rule\": \"\(entity.rule)\"}"
        }
        json += "]"
        if includingSensitive {
            json += ", \"sensitive\": ["
            json += sensitiveCategories.sorted().map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            json += "]"
        }
        json += "}"
        return json
    }

    /// `0.95`, `0.9`, `1.0`: two decimals at most, no exponent.
    static func decimal(_ value: Double) -> String {
        let hundredths = Int((min(max(value, 0), 1) * 100).rounded())
        var fraction = String(hundredths % 100)
        if fraction.count == 1 { fraction = "0" + fraction }
        while fraction.count > 1, fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(hundredths / 100).\(fraction)"
    }
}
