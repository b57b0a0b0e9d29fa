/// What goes wrong with projects, allocations and jobs, with messages that say what to do.
/// `NuriServer` maps each case to one HTTP status; the CLI prints the message.
public enum ComputeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Bad input; `param` names the field. 400.
    case invalidInput(param: String, message: String)
    /// No such project, allocation or job (or not visible to the caller). 404.
    case notFound(kind: String, name: String)
    /// The request conflicts with what exists (a taken name, an open allocation). 409.
    case conflict(String)
    /// The action is not allowed from the allocation's status. 409.
    case invalidTransition(allocation: String, from: AllocationStatus, action: AllocationAction)
    /// The project has no allocation that lets it run jobs now. 409.
    case noActiveAllocation(project: String)

    public var description: String {
        switch self {
        case .invalidInput(_, let message), .conflict(let message):
            return message
        case .notFound(let kind, let name):
            return "no \(kind) '\(name)'"
        case .invalidTransition(let id, let from, let action):
            let allowed = from.allowedActions.map(\.rawValue)
            return "allocation '\(id)' is \(from.rawValue): it cannot be \(action.pastTense)"
                + (allowed.isEmpty ? " (\(from.rawValue) is final)" : "; from \(from.rawValue) it can be: \(allowed.joined(separator: ", "))")
        case .noActiveAllocation(let project):
            return "project '\(project)' has no active allocation; request one (POST /api/compute/allocations) and wait for an operator to approve it"
        }
    }
}
