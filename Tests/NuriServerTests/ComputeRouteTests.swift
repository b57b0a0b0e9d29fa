import Foundation
import Hummingbird
import HummingbirdTesting
import NuriIdentity
import NuriServer
import NuriStore
import Testing

@Suite("Roles on the compute routes: members request, operators decide")
struct ComputeRouteTests {
    @Test("a member requests an allocation for their organisation's project; only an operator approves it; other organisations see 404")
    func requestAndDecide() async throws {
        try await RouteHarness.run { harness, client in
            try await AuthRouteTests.seed(harness)
            _ = try await harness.identity.createOrganisation(name: "naver", sector: .private)
            _ = try await harness.identity.createUser(name: "outsider", organisation: "naver")
            let member = try await harness.token(for: "jisoo", scopes: [.read, .write])
            let owner = try await harness.token(for: "minji", scopes: Set(Scope.allCases))
            let outsider = try await harness.token(for: "outsider", scopes: [.read, .write])
            let op = harness.operatorToken

            // Projects and their tiers are the centre's: an organisation's owner cannot create one.
            let project = #"{"organisation":"seoul-city","name":"city-llm","tier":"public","description":"civil-service assistant"}"#
            try await client.execute(uri: "/api/compute/projects", method: .post, headers: .bearer(owner), body: .json(project)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/compute/projects", method: .post, headers: .bearer(op), body: .json(project)) { (response: TestResponse) async throws in
                #expect(response.status == .created)
                #expect(try response.json()["tier"] as? String == "public")
            }
            try await client.execute(uri: "/api/compute/projects", method: .get, headers: .bearer(outsider)) { (response: TestResponse) async throws in
                #expect((try response.json()["data"] as? [Any])?.isEmpty == true)
            }
            try await client.execute(uri: "/api/compute/projects/city-llm", method: .get, headers: .bearer(outsider)) { #expect($0.status == .notFound) }

            let request = #"{"project":"city-llm","gpu_hours":5000,"max_concurrent_gpus":64,"gpu_model":"h100","justification":"fine-tuning","period_days":30}"#
            try await client.execute(uri: "/api/compute/allocations", method: .post, headers: .bearer(outsider), body: .json(request)) {
                #expect($0.status == .notFound)
            }
            let created = try await client.execute(uri: "/api/compute/allocations", method: .post, headers: .bearer(member), body: .json(request))
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(try created.json()["id"] as? String)
            #expect(try created.json()["status"] as? String == "new")

            try await client.execute(uri: "/api/compute/allocations/\(id)", method: .get, headers: .bearer(outsider)) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/compute/allocations/\(id)/approve", method: .post, headers: .bearer(owner)) { (response: TestResponse) async throws in
                #expect(response.status == .forbidden)
                #expect(try response.errorBody().message.contains("operator"))
            }
            try await client.execute(uri: "/api/compute/allocations/\(id)/approve", method: .post, headers: .bearer(op),
                                     body: .json(#"{"gpu_hours":4000,"reason":"budget"}"#)) { (response: TestResponse) async throws in
                #expect(response.status == .ok)
                let body = try response.json()
                #expect(body["status"] as? String == "active" && body["gpu_hours"] as? Double == 4000)
                // No cluster configured: recorded, not applied (and not an error).
                #expect(body["slurm_error"] is NSNull)
            }
            // Approving twice is a conflict that says what can be done instead.
            try await client.execute(uri: "/api/compute/allocations/\(id)/approve", method: .post, headers: .bearer(op)) { (response: TestResponse) async throws in
                #expect(response.status == .conflict)
                let error = try response.errorBody()
                #expect(error.code == "invalid_transition" && error.type == "conflict_error")
                #expect(error.message.contains("is active") && error.message.contains("revoke"), "\(error.message)")
            }
            try await client.execute(uri: "/api/compute/allocations/\(id)/revoke", method: .post, headers: .bearer(op), body: .json("{}")) { (response: TestResponse) async throws in
                #expect(response.status == .badRequest)
                #expect(try response.errorBody().param == "reason")
            }
            try await client.execute(uri: "/api/compute/allocations/\(id)/decisions", method: .get, headers: .bearer(member)) { (response: TestResponse) async throws in
                let decisions = try response.json()["data"] as? [[String: Any]] ?? []
                #expect(decisions.compactMap { $0["action"] as? String } == ["request", "approve"])
                #expect(decisions.last?["reason"] as? String == "budget")
            }
            try await client.execute(uri: "/api/compute/allocations/\(id)/burndown", method: .get, headers: .bearer(member)) { (response: TestResponse) async throws in
                let body = try response.json()
                #expect(body["granted_gpu_hours"] as? Double == 4000 && body["remaining_gpu_hours"] as? Double == 4000)
                #expect((body["days"] as? [Any])?.count == 1)
            }
            // Jobs need a Slurm cluster; without one the answer says how to configure it.
            let job = #"{"project":"city-llm","name":"ft","gpus":8,"time_limit_minutes":60,"command":"python train.py"}"#
            try await client.execute(uri: "/api/compute/jobs", method: .post, headers: .bearer(member), body: .json(job)) { (response: TestResponse) async throws in
                #expect(response.status == .serviceUnavailable)
                #expect(try response.errorBody().message.contains("slurm_conf"))
            }
        }
    }

    @Test("bad allocation requests are 400s naming the field, and nothing is recorded")
    func badRequests() async throws {
        try await RouteHarness.run { harness, client in
            try await AuthRouteTests.seed(harness)
            let op = harness.operatorToken
            try await client.execute(uri: "/api/compute/projects", method: .post, headers: .bearer(op),
                                     body: .json(#"{"organisation":"seoul-city","name":"Bad Name","tier":"public"}"#)) { (response: TestResponse) async throws in
                #expect(response.status == .badRequest)
                #expect(try response.errorBody().param == "name")
            }
            try await client.execute(uri: "/api/compute/projects", method: .post, headers: .bearer(op),
                                     body: .json(#"{"organisation":"seoul-city","name":"ok","tier":"vip"}"#)) { (response: TestResponse) async throws in
                #expect(response.status == .badRequest)
                #expect(try response.errorBody().message.contains("national_team"))
            }
            try await client.execute(uri: "/api/compute/projects", method: .post, headers: .bearer(op),
                                     body: .json(#"{"organisation":"seoul-city","name":"ok","tier":"public"}"#)) { #expect($0.status == .created) }
            for (body, param) in [
                (#"{"project":"ok","gpu_hours":-1,"max_concurrent_gpus":8,"justification":"x"}"#, "gpu_hours"),
                (#"{"project":"ok","gpu_hours":10,"max_concurrent_gpus":"8","justification":"x"}"#, "max_concurrent_gpus"),
                (#"{"project":"ok","gpu_hours":10,"max_concurrent_gpus":8}"#, "justification"),
            ] {
                try await client.execute(uri: "/api/compute/allocations", method: .post, headers: .bearer(op), body: .json(body)) { (response: TestResponse) async throws in
                    #expect(response.status == .badRequest)
                    #expect(try response.errorBody().param == param, "\(response.text)")
                }
            }
            try await client.execute(uri: "/api/compute/allocations", method: .get, headers: .bearer(op)) { (response: TestResponse) async throws in
                #expect((try response.json()["data"] as? [Any])?.isEmpty == true)
            }
        }
    }
}
