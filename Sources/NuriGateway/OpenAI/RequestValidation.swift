import NuriEngine

/// Turns the sampling fields of an OpenAI request into engine parameters, refusing values OpenAI
/// refuses (with the field's name).
public enum RequestValidation {
    public static func sampling(temperature: Double?, topP: Double?, presencePenalty: Double?, frequencyPenalty: Double?,
                                seed: Int?) throws(GatewayError) -> SamplingParameters {
        let temperature = temperature ?? 1
        guard (0...2).contains(temperature) else { throw .invalidRequest(param: "temperature", message: "temperature must be between 0 and 2") }
        let topP = topP ?? 1
        guard topP > 0, topP <= 1 else { throw .invalidRequest(param: "top_p", message: "top_p must be greater than 0 and at most 1") }
        let presence = presencePenalty ?? 0, frequency = frequencyPenalty ?? 0
        guard (-2...2).contains(presence) else { throw .invalidRequest(param: "presence_penalty", message: "presence_penalty must be between -2 and 2") }
        guard (-2...2).contains(frequency) else { throw .invalidRequest(param: "frequency_penalty", message: "frequency_penalty must be between -2 and 2") }
        return SamplingParameters(temperature: Float(temperature), topP: Float(topP), presencePenalty: Float(presence),
                                  frequencyPenalty: Float(frequency), seed: seed.map { UInt64(bitPattern: Int64($0)) })
    }

    /// `n`: 1…8.
    public static func choices(_ n: Int?) throws(GatewayError) -> Int {
        let n = n ?? 1
        guard (1...8).contains(n) else { throw .invalidRequest(param: "n", message: "n must be between 1 and 8") }
        return n
    }

    /// `stop`: up to 4 non-empty strings.
    public static func stop(_ stop: StringOrStrings?) throws(GatewayError) -> [String] {
        let values = stop?.values ?? []
        guard values.count <= 4 else { throw .invalidRequest(param: "stop", message: "stop takes at most 4 sequences") }
        return values.filter { !$0.isEmpty }
    }

    /// The completion budget: what the caller asked (≥ 1, or 0 where allowed), within what the
    /// context leaves after the prompt.
    public static func maxTokens(_ requested: Int?, param: String, promptTokens: Int, contextLength: Int, allowZero: Bool = false) throws(GatewayError) -> Int {
        if let requested, requested < (allowZero ? 0 : 1) {
            throw .invalidRequest(param: param, message: "\(param) must be at least \(allowZero ? 0 : 1)")
        }
        let room = contextLength - promptTokens
        guard room > 0 || (allowZero && requested == 0 && promptTokens <= contextLength) else {
            throw .contextLengthExceeded(limit: contextLength, requested: promptTokens + (requested ?? 1))
        }
        return min(requested ?? room, max(room, 0))
    }
}
