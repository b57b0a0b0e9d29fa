import Hummingbird
import NuriHub
import NuriIdentity
import NuriStore

extension HubRoutes {
    /// Adds the hub to the router: the Hugging Face-compatible API (optional authentication, Hub
    /// errors) and Nuri's own `/api/nuri/repos/…` (optional authentication, Nuri errors).
    static func install(on router: Router<NuriRequestContext>, configuration: ServerConfiguration, database: Database, identity: IdentityStore) {
        let store = HubStore(database: database, dataDirectory: configuration.dataDirectory)
        store.blobs.removeStaleTemporaryFiles()
        let optional = OptionalAuthenticationMiddleware(identity: identity)
        let api = router.group("api").add(middleware: HubErrorMiddleware()).add(middleware: optional)
        let root = router.group().add(middleware: HubErrorMiddleware()).add(middleware: optional)
        HubRoutes(store: store, bodyLimit: configuration.maxBodySize).add(api: api, root: root)
        NuriRepositoryRoutes(store: store, bodyLimit: configuration.maxBodySize).add(to: router.group("api/nuri/repos").add(middleware: optional))
    }
}
