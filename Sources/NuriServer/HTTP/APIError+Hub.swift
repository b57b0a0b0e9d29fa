import Hummingbird
import NuriHub

extension APIError {
    /// A hub error in Nuri's own (OpenAI-shaped) form, for the `/api/nuri/…` routes. The Hugging
    /// Face-compatible routes render the same errors with `X-Error-Code` instead (``HubErrorMiddleware``).
    init(hub error: HubError) {
        let (status, code) = Self.hubStatus(error)
        let type: String
        switch status.code {
        case 401: type = "authentication_error"
        case 403: type = "permission_error"
        case 404: type = "not_found_error"
        case 409, 412: type = "conflict_error"
        default: type = "invalid_request_error"
        }
        var param: String?
        if case .invalidInput(let field, _) = error { param = field }
        self.init(status: status, message: error.description, type: type, param: param, code: code)
    }

    /// The one mapping of hub errors to a status and the Hub's error code.
    static func hubStatus(_ error: HubError) -> (HTTPResponse.Status, String) {
        switch error {
        case .repositoryNotFound: return (.notFound, "RepoNotFound")
        case .revisionNotFound: return (.notFound, "RevisionNotFound")
        case .entryNotFound: return (.notFound, "EntryNotFound")
        case .gated: return (.forbidden, "GatedRepo")
        case .forbidden: return (.forbidden, "Forbidden")
        case .unauthenticated: return (.unauthorized, "Unauthorized")
        case .invalidInput: return (.badRequest, "BadRequest")
        case .repositoryExists: return (.conflict, "RepoExists")
        case .staleParent: return (.preconditionFailed, "ParentCommitMismatch")
        case .blobMismatch: return (.badRequest, "BlobMismatch")
        case .blobMissing: return (.badRequest, "BlobMissing")
        case .conflict: return (.conflict, "Conflict")
        }
    }
}
