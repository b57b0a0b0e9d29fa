/// Where an allocation is in its life, as ColdFront names the statuses.
///
/// ```
///  new ──approve──▶ active ──request_renewal──▶ renewal_requested ──approve──▶ active (new period)
///   │                │  ▲                            │   │
///  deny            revoke└──────────deny─────────────┘  revoke/expire
///   ▼                ▼ expire (period end)               ▼
/// denied          revoked / expired ──request_renewal──▶ renewal_requested
/// ```
///
/// Denied and revoked are final. `change` (an operator editing the limits) keeps the status.
public enum AllocationStatus: String, Sendable, Codable, CaseIterable {
    case new
    case active
    case renewalRequested = "renewal_requested"
    case denied
    case expired
    case revoked

    /// The status after `action`, or nil if the action is not allowed from this one.
    public func after(_ action: AllocationAction) -> AllocationStatus? {
        switch (self, action) {
        case (.new, .approve): .active
        case (.new, .deny): .denied
        case (.new, .change): .new
        case (.active, .change): .active
        case (.active, .requestRenewal): .renewalRequested
        case (.active, .revoke): .revoked
        case (.active, .expire): .expired
        case (.renewalRequested, .approve): .active
        // A refused renewal leaves the allocation running to the end of its period.
        case (.renewalRequested, .deny): .active
        case (.renewalRequested, .change): .renewalRequested
        case (.renewalRequested, .revoke): .revoked
        case (.renewalRequested, .expire): .expired
        case (.expired, .requestRenewal): .renewalRequested
        default: nil
        }
    }

    /// The actions allowed from this status (other than the system's `expire`).
    public var allowedActions: [AllocationAction] {
        AllocationAction.allCases.filter { $0 != .expire && $0 != .request && after($0) != nil }
    }

    /// Whether the project may run jobs under the allocation: its period is running.
    public var isRunning: Bool { self == .active || self == .renewalRequested }

    /// Whether the allocation is still open (a project has at most one open allocation).
    public var isOpen: Bool { self == .new || isRunning }
}

/// What someone did to an allocation; each is recorded as an ``AllocationDecision``.
public enum AllocationAction: String, Sendable, Codable, CaseIterable {
    /// A project member asked for the allocation.
    case request
    /// An operator granted it (or its renewal): its period starts now.
    case approve
    /// An operator refused it (or its renewal).
    case deny
    /// An operator changed its limits or period.
    case change
    /// A project member asked for another period.
    case requestRenewal = "request_renewal"
    /// An operator withdrew it: the project's jobs can no longer be submitted or started.
    case revoke
    /// Its period ended.
    case expire

    var pastTense: String {
        switch self {
        case .request: "requested"
        case .approve: "approved"
        case .deny: "denied"
        case .change: "changed"
        case .requestRenewal: "renewed (renewal requested)"
        case .revoke: "revoked"
        case .expire: "expired"
        }
    }
}
