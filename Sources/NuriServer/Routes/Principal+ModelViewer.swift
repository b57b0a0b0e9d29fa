import NuriGateway
import NuriIdentity

extension Principal {
    /// The caller as the gateway sees it when deciding which models it may use: operators see
    /// every model; others act in the organisations of their memberships (narrowed to the
    /// token's organisation when it has one).
    var modelViewer: ModelViewer {
        ModelViewer(isOperator: isOperator, organisationNames: memberships.map(\.organisationName))
    }
}
