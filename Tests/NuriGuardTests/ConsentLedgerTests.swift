import Foundation
import NuriGuard
import NuriIdentity
import NuriStore
import NuriTestSupport
import Testing

@Suite("The consent ledger")
struct ConsentLedgerTests {
    @Test("an incomplete consent is refused naming the field", arguments: [TestBackend.sqlite])
    func validation(_ backend: TestBackend) async throws {
        try await GuardFixture.with(backend) { fixture in
            await #expect(throws: GuardError.invalidInput(param: "recipient", message: "recipient is required for a third_party_provision consent (the organisation or model receiving the data)")) {
                _ = try await fixture.grant(.thirdPartyProvision, recipient: nil)
            }
            await #expect(throws: GuardError.self) { _ = try await fixture.grant(.overseasTransfer, country: nil) }
            await #expect(throws: GuardError.self) {
                _ = try await fixture.ledger.grant(ConsentGrant(subject: "p-1", kind: .collectionUse, purpose: "care", dataItems: ["name"],
                                                                retention: "1y", textHash: "not-a-hash", channel: "paper"),
                                                   organisationID: fixture.organisation.id, actor: "usr_a")
            }
            let recorded = try await fixture.ledger.list(organisationID: fixture.organisation.id)
            #expect(recorded.isEmpty)
        }
    }

    @Test("granting, matching and withdrawing, each recorded in the audit chain without the subject's id", arguments: TestBackend.available)
    func lifecycle(_ backend: TestBackend) async throws {
        try await GuardFixture.with(backend) { fixture in
            let consent = try await fixture.grant(.thirdPartyProvision)
            let match = try await fixture.ledger.matching(kind: .thirdPartyProvision, organisationID: fixture.organisation.id, subject: "p-17",
                                                          recipient: "gpt-x", purpose: "appointment-summary")
            #expect(match?.id == consent.id)
            // Another recipient, purpose or subject does not match.
            #expect(try await fixture.ledger.matching(kind: .thirdPartyProvision, organisationID: fixture.organisation.id, subject: "p-17",
                                                      recipient: "other-model", purpose: nil) == nil)
            #expect(try await fixture.ledger.matching(kind: .thirdPartyProvision, organisationID: fixture.organisation.id, subject: "p-17",
                                                      recipient: "gpt-x", purpose: "marketing") == nil)
            #expect(try await fixture.ledger.matching(kind: .thirdPartyProvision, organisationID: fixture.organisation.id, subject: "p-18",
                                                      recipient: "gpt-x", purpose: nil) == nil)

            let withdrawn = try await fixture.ledger.withdraw(consent.id, organisationID: fixture.organisation.id, actor: "usr_frontdesk")
            #expect(withdrawn.withdrawnAt == fixture.clock.now)
            #expect(try await fixture.ledger.matching(kind: .thirdPartyProvision, organisationID: fixture.organisation.id, subject: "p-17",
                                                      recipient: "gpt-x", purpose: nil) == nil)
            await #expect(throws: GuardError.self) { _ = try await fixture.ledger.withdraw(consent.id, organisationID: nil, actor: "usr_x") }

            let records = try await fixture.audit.records()
            #expect(records.map(\.action) == ["consent.grant", "consent.withdraw"])
            #expect(records.allSatisfy { !$0.valueHashes.contains("p-17") && $0.valueHashes.contains("subject:") })
            #expect(try await fixture.audit.verify().isIntact)
        }
    }

    @Test("an expired consent or one for another country does not match", arguments: [TestBackend.sqlite])
    func expiryAndCountry(_ backend: TestBackend) async throws {
        try await GuardFixture.with(backend) { fixture in
            _ = try await fixture.grant(.overseasTransfer, country: "us", expiresAt: fixture.clock.now + 86_400)
            func match(_ country: String) async throws -> Consent? {
                try await fixture.ledger.matching(kind: .overseasTransfer, organisationID: fixture.organisation.id, subject: "p-17",
                                                  recipient: "gpt-x", purpose: nil, country: country)
            }
            #expect(try await match("US") != nil)
            #expect(try await match("JP") == nil)
            fixture.clock.advance(days: 2)
            #expect(try await match("US") == nil)
        }
    }
}
