import NuriGateway
import NuriGuard

/// The guard behind the gateway's policy hook: every request's texts go through the transfer
/// policy before they leave for a backend, and the answer through its output screen.
///
/// Fail closed: if the check cannot run (the scanner, the ledger or the audit chain fails), the
/// request is blocked, never passed through.
public struct GuardPolicy: RequestPolicy {
    let policy: TransferPolicy

    public init(policy: TransferPolicy) {
        self.policy = policy
    }

    public func inspect(_ input: PolicyInput) async throws -> PolicyVerdict {
        let relationship = Destination.Relationship(rawValue: input.backend.relationship.rawValue) ?? .thirdParty
        let request = TransferRequest(
            organisationID: input.organisationID, actor: input.tokenID.map { "\(input.userID) via \($0)" } ?? input.userID, subject: input.dataSubject, purpose: input.purpose,
            destination: Destination(recipient: input.model, jurisdiction: input.backend.jurisdiction, relationship: relationship),
            texts: input.texts)
        let decision: TransferDecision
        do {
            decision = try await policy.decide(request)
        } catch {
            return PolicyVerdict(.block(code: "pii_blocked", message: """
                the personal-data check could not run, so nothing was sent to the model (the guard fails closed); \
                try again, and tell the platform's operator if it persists
                """))
        }
        switch decision.action {
        case .allow: return PolicyVerdict(.allow, output: ScreenFilter(screen: decision.output))
        case .mask: return PolicyVerdict(.replace(decision.texts), output: ScreenFilter(screen: decision.output))
        case .block: return PolicyVerdict(.block(code: "pii_blocked", message: decision.message))
        }
    }
}

/// The guard's output screen as the gateway's output filter.
struct ScreenFilter: OutputFilter {
    var screen: OutputScreen

    mutating func pass(_ piece: String) async throws -> String { try await screen.pass(piece) }
    mutating func finish() async throws -> String { try await screen.finish() }
    var heldScalars: Int { screen.heldScalars }
}
