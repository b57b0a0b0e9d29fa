/// What the gateway refuses, each mapped to OpenAI's status and code by the server.
public enum GatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No such model (or the caller may not use it). 404 `model_not_found`.
    case modelNotFound(String)
    /// A request field has a value the API does not accept. 400.
    case invalidRequest(param: String?, message: String)
    /// The prompt and the requested completion do not fit the model's context. 400 `context_length_exceeded`.
    case contextLengthExceeded(limit: Int, requested: Int)
    /// The backend failed. 502/503.
    case backendFailed(String)
    /// The data-protection policy refused to send the request. 403 with the policy's code.
    case blockedByPolicy(code: String, message: String)
    /// A rate limit or budget is reached. 429 with `Retry-After` (seconds).
    case rateLimited(message: String, code: String, retryAfter: Int)

    public var description: String {
        switch self {
        case .modelNotFound(let name):
            return "the model '\(name)' does not exist or you do not have access to it; GET /v1/models lists the models you can use"
        case .invalidRequest(_, let message): return message
        case .contextLengthExceeded(let limit, let requested):
            return "this model's maximum context length is \(limit) tokens, but \(requested) were requested; shorten the messages or lower max_tokens"
        case .backendFailed(let message): return "the model backend failed: \(message)"
        case .rateLimited(let message, _, _): return message
        case .blockedByPolicy(_, let message): return message
        }
    }
}
