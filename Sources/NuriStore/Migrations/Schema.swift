/// The schema's whole history, in order. Add a migration as a new file in this folder and append
/// it here; never edit one that has been released.
public enum Schema {
    public static let migrations: [Migration] = [
        Migration0001Identity.migration,
        Migration0002Usage.migration,
        Migration0003Limits.migration,
        Migration0004Consents.migration,
        Migration0005Audit.migration,
        Migration0006Hub.migration,
        Migration0007Compute.migration,
    ]
}
