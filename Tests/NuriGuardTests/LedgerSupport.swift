import Foundation
import NuriGuard
import NuriIdentity
import NuriStore
import NuriTestSupport

/// A database with one organisation and the guard's parts over it, with a clock the test moves.
struct GuardFixture {
    let database: Database
    let organisation: Organisation
    let audit: AuditLog
    let ledger: ConsentLedger
    let rules: TransferRulesStore
    let policy: TransferPolicy
    let clock: Clock

    /// A clock tests can move (Unix seconds).
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Int
        init(_ value: Int) { self.value = value }
        var now: Int { lock.withLock { value } }
        func advance(days: Int) { lock.withLock { value += days * 86_400 } }
    }

    static func with(_ backend: TestBackend, checkpointInterval: Int = 1_000,
                     _ body: (GuardFixture) async throws -> Void) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let organisation = try await IdentityStore(database: database).createOrganisation(name: "seoul-clinic", sector: .public)
            let clock = Clock(1_780_000_000)
            let audit = AuditLog(database: database, keys: .generate(), checkpointInterval: checkpointInterval, now: { clock.now })
            let ledger = ConsentLedger(database: database, audit: audit, now: { clock.now })
            let rules = TransferRulesStore(database: database)
            try await body(GuardFixture(database: database, organisation: organisation, audit: audit, ledger: ledger, rules: rules,
                                        policy: TransferPolicy(ledger: ledger, rules: rules, audit: audit), clock: clock))
        }
    }

    /// A complete consent of `kind` for the data subject `p-17`, given to the clinic.
    func grant(_ kind: ConsentKind, recipient: String? = "gpt-x", country: String? = nil, purpose: String = "appointment-summary",
               expiresAt: Int? = nil) async throws -> Consent {
        try await ledger.grant(
            ConsentGrant(subject: "p-17", kind: kind, purpose: purpose, dataItems: ["name", "phone"], recipient: recipient,
                         recipientPurpose: "summarise the appointment", retention: "1y", overseasCountry: country,
                         textHash: String(repeating: "ab", count: 32), channel: "app", expiresAt: expiresAt),
            organisationID: organisation.id, actor: "usr_frontdesk")
    }

    /// A request from the clinic about `p-17`.
    func request(_ texts: [String], to destination: Destination, subject: String? = "p-17",
                 purpose: String? = "appointment-summary") -> TransferRequest {
        TransferRequest(organisationID: organisation.id, actor: "usr_doctor", subject: subject, purpose: purpose,
                        destination: destination, texts: texts)
    }
}

extension Destination {
    static let inHouse = Destination(recipient: "smollm2", jurisdiction: "KR", relationship: .inHouse)
    static let thirdParty = Destination(recipient: "gpt-x", jurisdiction: "KR", relationship: .thirdParty)
    static let overseasEntrusted = Destination(recipient: "gpt-x", jurisdiction: "US", relationship: .entrusted)
}

/// A prompt of the kind a clinic's staff send: a name, a resident registration number and a
/// phone number (all synthetic; the number's date is valid, its tail random, as issued since 2020).
let clinicPrompt = "고객 김민수 님의 주민번호는 900101-1234567 이고 연락처는 010-1234-5678 입니다. 예약 내용을 요약해 주세요."
