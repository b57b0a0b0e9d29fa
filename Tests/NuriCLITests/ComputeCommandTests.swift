import Foundation
import Testing

@Suite("nuri compute simulate")
struct ComputeCommandTests {
    @Test("a synthetic run prints utilisation, queueing delay per tier and Jain's fairness index, and writes JSON and HTML")
    func simulateSynthetic() throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try NuriBinary.run(["compute", "simulate", "--gpus", "256", "--synthetic", "3000", "--seed", "5", "--out", out])
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
        let again = try NuriBinary.run(["compute", "simulate", "--gpus", "256", "--synthetic", "3000", "--seed", "5"])
        func figures(_ text: String) -> [Substring] { text.split(separator: "\n").filter { !$0.hasPrefix("simulation speed") && !$0.hasPrefix("Wrote") } }
        #expect(figures(again.stdout) == figures(result.stdout))
    }

    @Test("two policies on the same jobs print side by side")
    func compare() throws {
        let directory = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/no-fairshare.yaml"
        try "priority: {weights: {fairshare: 0, qos: 0, job_size: 0}}\npreemption: {}\n".write(toFile: fifo, atomically: true, encoding: .utf8)
        let result = try NuriBinary.run(["compute", "simulate", "--gpus", "128", "--synthetic", "1000", "--seed", "2", "--compare", "default", fifo])
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
    func badInput(arguments: [String], message: String) throws {
        let result = try NuriBinary.run(arguments)
        #expect(result.status != 0)
        #expect(!result.crashed)
        #expect((result.stderr + result.stdout).contains(message), "\(result.stderr)")
    }

    @Test("a policy file's mistake is reported with its key")
    func policyMistake() throws {
        let directory = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/bad.yaml"
        try "backfill: {dept: 5}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try NuriBinary.run(["compute", "simulate", "--synthetic", "10", "--policy", path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("backfill.dept"))
    }

    @Test("compute --help lists simulate and bench")
    func help() throws {
        let result = try NuriBinary.run(["compute", "simulate", "--help"])
        #expect(result.status == 0)
        for text in ["--synthetic", "--trace", "--policy", "--compare", "--out", "--gpus"] { #expect(result.stdout.contains(text)) }
        let group = try NuriBinary.run(["compute", "--help"])
        #expect(group.stdout.contains("simulate") && group.stdout.contains("bench"))
    }
}
