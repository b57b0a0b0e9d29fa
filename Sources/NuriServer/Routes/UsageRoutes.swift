import Foundation
import Hummingbird
import NuriGateway
import NuriIdentity

/// `GET /api/usage?since=30d&org=NAME&model=NAME`: requests and tokens per model and
/// organisation. Operators see everyone's; organisation admins their organisation's; others
/// their own.
struct UsageRoutes {
    let usage: UsageStore
    /// Flushed before reading, so a caller sees the requests it just made.
    let recorder: UsageRecorder
    let identity: IdentityStore

    struct Summary: ResponseEncodable {
        let object = "list"
        let since: Int
        let data: [UsageSummary]
    }

    func add(to group: RouterGroup<NuriRequestContext>) {
        group.get("usage") { request, context -> Summary in
            let principal = try context.require(.read)
            let query = request.uri.queryParameters
            let window = try TokenLifetime.parse(query["since"].map(String.init) ?? "30d") ?? Int(Date().timeIntervalSince1970)
            let since = Int(Date().timeIntervalSince1970) - window
            var organisationID: String?
            var userID: String?
            if let name = query["org"].map(String.init) {
                let organisation = try await identity.organisation(named: name)
                guard principal.isOperator || (principal.role(in: organisation.id) ?? .member) >= .admin else {
                    throw IdentityError.forbidden("only an admin of '\(name)' or an operator may see its usage")
                }
                organisationID = organisation.id
            } else if !principal.isOperator {
                userID = principal.user.id
            }
            await recorder.flush()
            let data = try await usage.summary(since: since, organisationID: organisationID, userID: userID,
                                               model: query["model"].map(String.init))
            return Summary(since: since, data: data)
        }
    }
}
