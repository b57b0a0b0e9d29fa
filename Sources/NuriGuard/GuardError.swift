/// What goes wrong in the guard's ledger, policy and audit chain, with messages that say what
/// to do. `NuriServer` maps these to HTTP statuses; the CLI prints them.
public enum GuardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Bad input; `param` names the field.
    case invalidInput(param: String?, message: String)
    /// No such consent (or not visible to the caller).
    case notFound(String)
    /// The request conflicts with the record's state (e.g. withdrawing twice).
    case conflict(String)
    /// The audit chain or its keys are not usable.
    case auditUnavailable(String)

    public var description: String { message }

    public var message: String {
        switch self {
        case .invalidInput(_, let message), .notFound(let message), .conflict(let message), .auditUnavailable(let message): message
        }
    }
}
