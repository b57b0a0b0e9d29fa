import Foundation
import Testing

@Suite("nuri compute")
struct ComputeCommandTests {
    @Test("an operator creates a project, approves its allocation and reads the decisions and burn-down; a wrong step says what is allowed")
    func allocationFromTheCommandLine() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = ["--data-dir", directory]
        // No cluster for this test, whatever the environment says.
        let noSlurm = ["NURI_SLURM_CONF": ""]
        func nuri(_ arguments: [String]) async throws -> NuriBinary.Result { try await NuriBinary.run(arguments + data, environment: noSlurm) }
        #expect(try await nuri(["admin", "init"]).status == 0)
        #expect(try await nuri(["admin", "org", "create", "kaist", "--sector", "academic"]).status == 0)

        let created = try await nuri(["compute", "project", "create", "ko-llm", "--org", "kaist", "--tier", "national_team"])
        #expect(created.status == 0 && created.stdout.contains("national_team"), "\(created.stderr)")
        let badTier = try await nuri(["compute", "project", "create", "other", "--org", "kaist", "--tier", "vip"])
        #expect(badTier.status != 0 && !badTier.crashed && badTier.stderr.contains("national_team"))

        let requested = try await nuri(["compute", "allocation", "request", "--project", "ko-llm", "--gpu-hours", "500", "--max-gpus", "16",
                                  "--justification", "pretraining", "--json"])
        #expect(requested.status == 0, "\(requested.stderr)")
        let id = try #require((try JSONSerialization.jsonObject(with: Data(requested.stdout.utf8)) as? [String: Any])?["id"] as? String)

        #expect(try await nuri(["compute", "allocation", "approve", id, "--gpu-hours", "400", "--reason", "budget"]).status == 0)
        let again = try await nuri(["compute", "allocation", "approve", id])
        #expect(again.status != 0 && again.stderr.contains("is active") && again.stderr.contains("revoke"), "\(again.stderr)")

        let decisions = try await nuri(["compute", "allocation", "decisions", id])
        #expect(decisions.stdout.contains("request") && decisions.stdout.contains("gpu_hours: 500 → 400") && decisions.stdout.contains("budget"),
                "\(decisions.stdout)")
        let burnDown = try await nuri(["compute", "allocation", "burndown", id])
        #expect(burnDown.stdout.contains("0.00 of 400.00 GPU-hours used"), "\(burnDown.stdout)")

        let submitted = try await nuri(["compute", "job", "submit", "--project", "ko-llm", "--name", "t", "--gpus", "1", "--minutes", "5", "--command", "true"])
        #expect(submitted.status != 0 && submitted.stderr.contains("slurm_conf"), "\(submitted.stderr)")
    }
}


@Suite("nuri compute slurm-config")
struct SlurmConfigCommandTests {
    @Test("prints a policy file's slurm.conf lines; a bad file is an error naming the key")
    func slurmConfig() async throws {
        let directory = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let good = directory + "/policy.yaml", bad = directory + "/bad.yaml"
        try "priority: {weights: {fairshare: 123}}\n".write(toFile: good, atomically: true, encoding: .utf8)
        try "backfill: {dept: 5}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let printed = try await NuriBinary.run(["compute", "slurm-config", "--policy", good])
        #expect(printed.status == 0 && printed.stdout.contains("PriorityWeightFairshare=123"), "\(printed.stderr)")
        let refused = try await NuriBinary.run(["compute", "slurm-config", "--policy", bad])
        #expect(refused.status != 0 && !refused.crashed && refused.stderr.contains("backfill.dept"), "\(refused.stderr)")
        let serve = try await NuriBinary.run(["serve", "--print-config", "--compute-policy", bad, "--data-dir", directory])
        #expect(serve.status != 0 && !serve.crashed && serve.stderr.contains("backfill.dept"), "\(serve.stderr)")
    }
}

@Suite("nuri compute simulate")
struct ComputeSimulateCommandTests {
    @Test("a synthetic run prints utilisation, queueing delay per tier and Jain's fairness index, and writes JSON and HTML")
    func simulateSynthetic() async throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try await NuriBinary.run(["compute", "simulate", "--gpus", "256", "--synthetic", "3000", "--seed", "5", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        for words in ["utilisation", "queueing delay", "Jain's fairness index", "national_team", "industry", "p50 / p99"] {
            #expect(result.stdout.contains(words), "the summary lacks \(words)")
        }
        let json = try Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))
        let summary = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(summary["jobsSubmitted"] as? Int == 3000)
        #expect(summary["jainsFairnessIndex"] is Double)
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("<svg"))
        // The same seed prints the same figures (the speed line aside).
        let again = try await NuriBinary.run(["compute", "simulate", "--gpus", "256", "--synthetic", "3000", "--seed", "5"])
        func figures(_ text: String) -> [Substring] { text.split(separator: "\n").filter { !$0.hasPrefix("simulation speed") && !$0.hasPrefix("Wrote") } }
        #expect(figures(again.stdout) == figures(result.stdout))
    }

    @Test("two policies on the same jobs print side by side")
    func compare() async throws {
        let directory = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/no-fairshare.yaml"
        try "priority: {weights: {fairshare: 0, qos: 0, job_size: 0}}\npreemption: {}\n".write(toFile: fifo, atomically: true, encoding: .utf8)
        let result = try await NuriBinary.run(["compute", "simulate", "--gpus", "128", "--synthetic", "1000", "--seed", "2", "--compare", "default", fifo])
        #expect(result.status == 0, "\(result.stderr)")
        let policyLine = result.stdout.split(separator: "\n").first { $0.hasPrefix("policy") }.map(String.init) ?? ""
        #expect(policyLine.contains("default") && policyLine.contains("no-fairshare.yaml"))
    }

    @Test("bad input gets a message saying what to do, never a crash",
          arguments: [
            (["compute", "simulate", "--gpus", "64"], "--trace FILE or --synthetic N"),
            (["compute", "simulate", "--synthetic", "0"], "--synthetic must be"),
            (["compute", "simulate", "--synthetic", "10", "--policy", "/nonexistent/policy.yaml"], "no policy file"),
            (["compute", "simulate", "--trace", "/nonexistent/trace.csv"], "no trace at"),
            (["compute", "simulate", "--synthetic", "10", "--compare", "default"], "two policies"),
          ])
    func badInput(arguments: [String], message: String) async throws {
        let result = try await NuriBinary.run(arguments)
        #expect(result.status != 0)
        #expect(!result.crashed)
        #expect((result.stderr + result.stdout).contains(message), "\(result.stderr)")
    }

    @Test("a policy file's mistake is reported with its key")
    func policyMistake() async throws {
        let directory = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/bad.yaml"
        try "backfill: {dept: 5}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await NuriBinary.run(["compute", "simulate", "--synthetic", "10", "--policy", path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("backfill.dept"))
    }

    @Test("compute --help lists simulate and bench")
    func help() async throws {
        let result = try await NuriBinary.run(["compute", "simulate", "--help"])
        #expect(result.status == 0)
        for text in ["--synthetic", "--trace", "--policy", "--compare", "--out", "--gpus"] { #expect(result.stdout.contains(text)) }
        let group = try await NuriBinary.run(["compute", "--help"])
        #expect(group.stdout.contains("simulate") && group.stdout.contains("bench"))
    }
}
