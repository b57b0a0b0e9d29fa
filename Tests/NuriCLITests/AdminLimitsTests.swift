import Foundation
import Testing

@Suite("nuri admin limits")
struct AdminLimitsTests {
    @Test("set, list and delete an organisation's limits; delete needs exactly one subject")
    func setListDelete() async throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try await NuriBinary.run(["admin", "init", "--data-dir", dir]).status == 0)
        #expect(try await NuriBinary.run(["admin", "org", "create", "startup-a", "--sector", "startup", "--data-dir", dir]).status == 0)
        let set = try await NuriBinary.run(["admin", "limits", "set", "--org", "startup-a", "--rpm", "60", "--budget", "5000", "--per", "day", "--data-dir", dir])
        #expect(set.status == 0, "\(set.stderr)")
        let listed = try await NuriBinary.run(["admin", "limits", "list", "--data-dir", dir])
        #expect(listed.stdout.contains("60") && listed.stdout.contains("5000/day"), "\(listed.stdout)")

        let deleted = try await NuriBinary.run(["admin", "limits", "delete", "--org", "startup-a", "--data-dir", dir])
        #expect(deleted.status == 0 && deleted.stdout.contains("unlimited"), "\(deleted.stdout)\(deleted.stderr)")
        #expect(!(try await NuriBinary.run(["admin", "limits", "list", "--data-dir", dir]).stdout.contains("5000/day")))
        let again = try await NuriBinary.run(["admin", "limits", "delete", "--org", "startup-a", "--data-dir", dir])
        #expect(again.status == 0 && again.stdout.contains("had no limits"))

        let neither = try await NuriBinary.run(["admin", "limits", "delete", "--data-dir", dir])
        #expect(neither.status != 0 && neither.stderr.contains("exactly one of --org NAME or --token ID"), "\(neither.stderr)")
    }
}
