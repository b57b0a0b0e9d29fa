import Foundation
import Testing

@Suite("nuri compute")
struct ComputeCommandTests {
    @Test("an operator creates a project, approves its allocation and reads the decisions and burn-down; a wrong step says what is allowed")
    func allocationFromTheCommandLine() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = ["--data-dir", directory]
        // No cluster for this test, whatever the environment says.
        let noSlurm = ["NURI_SLURM_CONF": ""]
        func nuri(_ arguments: [String]) throws -> NuriBinary.Result { try NuriBinary.run(arguments + data, environment: noSlurm) }
        #expect(try nuri(["admin", "init"]).status == 0)
        #expect(try nuri(["admin", "org", "create", "kaist", "--sector", "academic"]).status == 0)

        let created = try nuri(["compute", "project", "create", "ko-llm", "--org", "kaist", "--tier", "national_team"])
        #expect(created.status == 0 && created.stdout.contains("national_team"), "\(created.stderr)")
        let badTier = try nuri(["compute", "project", "create", "other", "--org", "kaist", "--tier", "vip"])
        #expect(badTier.status != 0 && !badTier.crashed && badTier.stderr.contains("national_team"))

        let requested = try nuri(["compute", "allocation", "request", "--project", "ko-llm", "--gpu-hours", "500", "--max-gpus", "16",
                                  "--justification", "pretraining", "--json"])
        #expect(requested.status == 0, "\(requested.stderr)")
        let id = try #require((try JSONSerialization.jsonObject(with: Data(requested.stdout.utf8)) as? [String: Any])?["id"] as? String)

        #expect(try nuri(["compute", "allocation", "approve", id, "--gpu-hours", "400", "--reason", "budget"]).status == 0)
        let again = try nuri(["compute", "allocation", "approve", id])
        #expect(again.status != 0 && again.stderr.contains("is active") && again.stderr.contains("revoke"), "\(again.stderr)")

        let decisions = try nuri(["compute", "allocation", "decisions", id])
        #expect(decisions.stdout.contains("request") && decisions.stdout.contains("gpu_hours: 500 → 400") && decisions.stdout.contains("budget"),
                "\(decisions.stdout)")
        let burnDown = try nuri(["compute", "allocation", "burndown", id])
        #expect(burnDown.stdout.contains("0.00 of 400.00 GPU-hours used"), "\(burnDown.stdout)")

        let submitted = try nuri(["compute", "job", "submit", "--project", "ko-llm", "--name", "t", "--gpus", "1", "--minutes", "5", "--command", "true"])
        #expect(submitted.status != 0 && submitted.stderr.contains("slurm_conf"), "\(submitted.stderr)")
    }
}
