import Foundation
import NuriGuard
import NuriIdentity
import NuriStore
import NuriTestSupport
import Testing

@Suite("The transfer policy: PIPA's defaults on every gateway request")
struct TransferPolicyTests {
    @Test("in house, personal data passes but a resident registration number never does", arguments: [TestBackend.sqlite])
    func inHouse(_ backend: TestBackend) async throws {
        try await GuardFixture.with(backend) { fixture in
            let decision = try await fixture.policy.decide(fixture.request([clinicPrompt], to: .inHouse))
            #expect(decision.action == .mask && decision.reason == "rrn_never_forwarded")
            let sent = try #require(decision.texts.first)
            #expect(!sent.contains("900101-1234567") && sent.contains("[주민등록번호]"))
            #expect(sent.contains("김민수") && sent.contains("010-1234-5678"))

            let plain = try await fixture.policy.decide(fixture.request(["오늘 날씨 어때요?"], to: .inHouse))
            #expect(plain.action == .allow && plain.reason == "no_personal_data")
            // Only decisions on personal data are audited: one record, with counts and hashes, no values.
            let records = try await fixture.audit.records()
            #expect(records.count == 1)
            let record = try #require(records.first)
            #expect(record.decision == "mask" && record.entities.contains("\"RRN\":1") && record.entities.contains("\"PHONE\":1"))
            for value in ["900101-1234567", "9001011234567", "010-1234-5678", "김민수", "p-17"] {
                #expect(!record.entities.contains(value) && !record.valueHashes.contains(value) && !record.target.contains(value))
            }
        }
    }

    @Test("a third party without consent gets pseudonyms, and the caller gets the values back", arguments: [TestBackend.sqlite])
    func thirdPartyMasked(_ backend: TestBackend) async throws {
        try await GuardFixture.with(backend) { fixture in
            let decision = try await fixture.policy.decide(fixture.request([clinicPrompt], to: .thirdParty))
            #expect(decision.action == .mask && decision.reason == "no_third_party_consent")
            let sent = try #require(decision.texts.first)
            #expect(!sent.contains("김민수") && !sent.contains("010-1234-5678") && !sent.contains("900101-1234567"))
            #expect(sent.contains("[이름1]") && sent.contains("[전화번호1]"))
            // The third party's answer refers to the pseudonyms; the caller reads the real values,
            // and a number the model made up itself is masked.
            var output = decision.output
            let answer = try await output.screen("[이름1] 님께 [전화번호1] 로 연락드리겠습니다. 담당자 휴대폰은 010-9876-5432 입니다.")
            #expect(answer.contains("김민수 님께 010-1234-5678 로"))
            #expect(!answer.contains("010-9876-5432") && answer.contains("[전화번호]"))
            // Nothing recorded as disclosed: nothing personal left.
            #expect(try await fixture.ledger.subjectView(organisationID: fixture.organisation.id, subject: "p-17").recipients.isEmpty)
        }
    }

    @Test("with a matching consent the data goes (except the RRN), and the subject sees the recipient", arguments: TestBackend.available)
    func thirdPartyConsented(_ backend: TestBackend) async throws {
        try await GuardFixture.with(backend) { fixture in
            _ = try await fixture.grant(.thirdPartyProvision)
            let decision = try await fixture.policy.decide(fixture.request([clinicPrompt], to: .thirdParty))
            #expect(decision.action == .mask && decision.reason == "rrn_never_forwarded")
            let sent = try #require(decision.texts.first)
            #expect(sent.contains("김민수") && sent.contains("010-1234-5678") && !sent.contains("900101-1234567"))
            let view = try await fixture.ledger.subjectView(organisationID: fixture.organisation.id, subject: "p-17")
            #expect(view.recipients.map(\.recipient) == ["gpt-x"] && view.recipients.first?.relationship == "third_party")
            #expect(view.consents.count == 1)

            // Without the subject header, or for another purpose, the consent does not apply.
            let anonymous = try await fixture.policy.decide(fixture.request([clinicPrompt], to: .thirdParty, subject: nil))
            #expect(anonymous.reason == "no_third_party_consent")
            let otherPurpose = try await fixture.policy.decide(fixture.request([clinicPrompt], to: .thirdParty, purpose: "marketing"))
            #expect(otherPurpose.reason == "no_third_party_consent")
        }
    }

    @Test("an organisation that chose block gets a 403-worthy block with what to do", arguments: [TestBackend.sqlite])
    func thirdPartyBlocked(_ backend: TestBackend) async throws {
        try await GuardFixture.with(backend) { fixture in
            try await fixture.rules.set(TransferRules(thirdParty: .block, overseas: .block), for: fixture.organisation.id,
                                        actor: "usr_admin", audit: fixture.audit)
            let decision = try await fixture.policy.decide(fixture.request([clinicPrompt], to: .thirdParty))
            #expect(decision.action == .block && decision.reason == "no_third_party_consent")
            #expect(decision.message.contains("POST /api/consents") && decision.texts.isEmpty)
            // An RRN alone is masked, never a reason to block.
            let rrnOnly = try await fixture.policy.decide(fixture.request(["주민번호 900101-1234567 확인"], to: .thirdParty))
            #expect(rrnOnly.action == .mask)
        }
    }

    @Test("abroad needs an overseas consent naming that country, even when entrusted", arguments: [TestBackend.sqlite])
    func overseas(_ backend: TestBackend) async throws {
        try await GuardFixture.with(backend) { fixture in
            let without = try await fixture.policy.decide(fixture.request([clinicPrompt], to: .overseasEntrusted))
            #expect(without.reason == "no_overseas_consent" && !(without.texts.first ?? "").contains("010-1234-5678"))
            _ = try await fixture.grant(.overseasTransfer, country: "JP")
            let wrongCountry = try await fixture.policy.decide(fixture.request([clinicPrompt], to: .overseasEntrusted))
            #expect(wrongCountry.reason == "no_overseas_consent")
            _ = try await fixture.grant(.overseasTransfer, country: "US")
            let with = try await fixture.policy.decide(fixture.request([clinicPrompt], to: .overseasEntrusted))
            #expect((with.texts.first ?? "").contains("010-1234-5678"))
        }
    }

    @Test("sensitive information outside needs a sensitive consent; unique identifiers need theirs", arguments: [TestBackend.sqlite])
    func sensitiveAndUnique(_ backend: TestBackend) async throws {
        try await GuardFixture.with(backend) { fixture in
            _ = try await fixture.grant(.thirdPartyProvision)
            let health = "환자는 당뇨병 진단을 받았습니다. 식단을 추천해 주세요."
            let blocked = try await fixture.policy.decide(fixture.request([health], to: .thirdParty))
            #expect(blocked.action == .block && blocked.reason == "sensitive_without_consent")
            #expect(try await fixture.policy.decide(fixture.request([health], to: .inHouse)).action == .allow)
            _ = try await fixture.grant(.sensitive)
            #expect(try await fixture.policy.decide(fixture.request([health], to: .thirdParty)).action == .allow)

            let passport = "여권번호 M12345678 로 예약을 확인해 주세요."
            let masked = try await fixture.policy.decide(fixture.request([passport], to: .thirdParty))
            #expect(masked.reason == "no_unique_identifier_consent" && !(masked.texts.first ?? "").contains("M12345678"))
            _ = try await fixture.grant(.uniqueIdentifier)
            #expect(try await fixture.policy.decide(fixture.request([passport], to: .thirdParty)).texts.first?.contains("M12345678") == true)
        }
    }

    @Test("a streamed answer never lets a resident registration number through, however it is split", arguments: [TestBackend.sqlite])
    func streamedOutput(_ backend: TestBackend) async throws {
        try await GuardFixture.with(backend) { fixture in
            let answer = "확인된 주민번호는 900101-1234567 이며 연락처는 010-1234-5678 입니다."
            let decision = try await fixture.policy.decide(fixture.request(["확인해 주세요"], to: .inHouse))
            for size in [1, 2, 3, 5, 8, 13, 21, 34] {
                var output = decision.output
                var streamed = ""
                let scalars = Array(answer.unicodeScalars)
                for start in stride(from: 0, to: scalars.count, by: size) {
                    var piece = String.UnicodeScalarView()
                    piece.append(contentsOf: scalars[start..<min(start + size, scalars.count)])
                    let released = try await output.pass(String(piece))
                    #expect(!released.contains("1234567"))
                    streamed += released
                }
                streamed += try await output.finish()
                #expect(streamed == "확인된 주민번호는 [주민등록번호] 이며 연락처는 010-1234-5678 입니다.", "pieces of \(size)")
            }
            // The masked answers were audited.
            #expect(try await fixture.audit.records().contains { $0.action == "gateway.output" && $0.entities.contains("RRN") })
        }
    }
}
