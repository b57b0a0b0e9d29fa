/// The SQL engine behind a ``Database``. Queries are written once (SQLKit renders placeholders for
/// each); the few statements that differ ask for the kind.
public enum DatabaseKind: String, Sendable {
    case sqlite
    case postgres
}
