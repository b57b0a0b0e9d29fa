import Foundation
import NuriGateway
import NuriGuard
import NuriServer
import NuriStore
import NuriTestSupport
import Testing

@Suite("The guard behind the gateway's hook")
struct GuardPolicyTests {
    func input(_ texts: [String], relationship: BackendLabels.Relationship = .thirdParty) -> PolicyInput {
        PolicyInput(organisationID: nil, userID: "usr_test", model: "vendor", backend: BackendLabels(jurisdiction: "KR", relationship: relationship),
                    dataSubject: nil, purpose: nil, texts: texts)
    }

    @Test("when the check cannot run, the request is blocked, never passed through")
    func failsClosed() async throws {
        try await TestDatabase.with(.sqlite) { database, _ in
            let policy = GuardPolicy(policy: GuardServices(database: database, keys: .generate()).policy)
            let verdict = try await policy.inspect(input(["연락처 010-1234-5678 로 연락 주세요"]))
            guard case .replace(let texts) = verdict.decision else { Issue.record("expected a masked request, got \(verdict.decision)"); return }
            #expect(texts == ["연락처 [전화번호1] 로 연락 주세요"])

            try await database.close()
            let failed = try await policy.inspect(input(["연락처 010-1234-5678 로 연락 주세요"]))
            guard case .block(let code, let message) = failed.decision else { Issue.record("expected a block, got \(failed.decision)"); return }
            #expect(code == "pii_blocked" && message.contains("fails closed"))
        }
    }
}
