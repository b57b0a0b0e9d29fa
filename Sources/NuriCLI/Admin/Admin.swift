import ArgumentParser

/// `nuri admin`: operators' commands that work on the database directly, with or without a
/// running server.
struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the operator, organisations, users and API tokens.",
        discussion: """
            These commands open the database directly (the same --data-dir or --database as
            `nuri serve`), so they work whether or not the server is running.

            First steps:
              nuri admin init                                  # prints the operator's token
              nuri admin org create seoul-city --sector public
              nuri admin user create minji --org seoul-city --role admin
              nuri admin token create --user minji --org seoul-city --scopes read,inference --expires 30d
            """,
        subcommands: [AdminInit.self, AdminOrg.self, AdminUser.self, AdminToken.self, AdminLimits.self, AdminHub.self]
    )
}
