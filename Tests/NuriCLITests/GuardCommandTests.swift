import Foundation
import Testing

@Suite("nuri consent and nuri audit")
struct GuardCommandTests {
    @Test("a consent is granted, listed and withdrawn from the command line; audit verify catches a changed record (exit 1)")
    func consentAndAudit() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = ["--data-dir", directory]
        #expect(try await NuriBinary.run(["admin", "init"] + data).status == 0)
        #expect(try await NuriBinary.run(["admin", "org", "create", "seoul-clinic", "--sector", "public"] + data).status == 0)
        let text = directory + "/consent.txt"
        try "I agree that my name goes to gpt-x.".write(toFile: text, atomically: true, encoding: .utf8)
        let grant = ["consent", "grant", "--org", "seoul-clinic", "--subject", "p-17", "--kind", "third_party_provision",
                     "--purpose", "summary", "--items", "name", "--recipient", "gpt-x", "--recipient-purpose", "summarise",
                     "--retention", "1y", "--text-file", text, "--channel", "app", "--json"] + data
        let granted = try await NuriBinary.run(grant)
        #expect(granted.status == 0, "\(granted.stderr)")
        let consent = try JSONSerialization.jsonObject(with: Data(granted.stdout.utf8)) as? [String: Any]
        let id = try #require(consent?["id"] as? String)

        // Bad input: a missing recipient for a provision consent is named, not a crash.
        let missing = try await NuriBinary.run(grant.filter { $0 != "--recipient" && $0 != "gpt-x" })
        #expect(missing.status != 0 && !missing.crashed && missing.stderr.contains("recipient is required"))

        #expect(try await NuriBinary.run(["consent", "list", "--org", "seoul-clinic", "--active"] + data).stdout.contains(id))
        #expect(try await NuriBinary.run(["consent", "withdraw", id] + data).status == 0)
        #expect(!(try await NuriBinary.run(["consent", "list", "--org", "seoul-clinic", "--active"] + data).stdout.contains(id)))
        let again = try await NuriBinary.run(["consent", "withdraw", id] + data)
        #expect(again.status != 0 && again.stderr.contains("already withdrawn"))

        let verified = try await NuriBinary.run(["audit", "verify"] + data)
        #expect(verified.status == 0 && verified.stdout.contains("OK: 2 records"), "\(verified.stdout)\(verified.stderr)")
        let exported = try await NuriBinary.run(["audit", "export", "--from", "2020-01-01"] + data)
        #expect(exported.stdout.split(separator: "\n").count == 2 && !exported.stdout.contains("p-17"))

        // Someone edits the database behind the chain's back.
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE audit_records SET actor='someone-else' WHERE seq=2\"); c.commit()",
                            directory + "/nuri.sqlite"]
        try sqlite.run()
        sqlite.waitUntilExit()
        let broken = try await NuriBinary.run(["audit", "verify"] + data)
        #expect(broken.status == 1 && broken.stdout.contains("record 2 was altered"), "\(broken.stdout)")
    }
}
