import Crypto
import Foundation

/// The audit chain's secrets: a key for the keyed hashes (the chain links and the hashes of
/// personal values) and an Ed25519 key that signs checkpoints.
///
/// Without the hash key nobody can rewrite a record and recompute the links after it, so
/// `verify` names the first record that changed; the signing key lets an inspector holding only
/// the public key check the checkpoints. Both live in files readable by the owner alone.
public struct AuditKeys: Sendable {
    let chainKey: SymmetricKey
    let valueKey: SymmetricKey
    let signingKey: Curve25519.Signing.PrivateKey

    /// Keys from a 32-byte secret and a 32-byte Ed25519 private key.
    public init(secret: Data, signingKey: Data) throws {
        guard secret.count == 32 else { throw GuardError.auditUnavailable("the audit hash key must be 32 bytes") }
        let master = SymmetricKey(data: secret)
        chainKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Data("nuri audit chain".utf8), outputByteCount: 32)
        valueKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Data("nuri audit values".utf8), outputByteCount: 32)
        do {
            self.signingKey = try Curve25519.Signing.PrivateKey(rawRepresentation: signingKey)
        } catch {
            throw GuardError.auditUnavailable("the audit signing key is not a 32-byte Ed25519 key")
        }
    }

    /// New random keys (tests, and the first start).
    public static func generate() -> AuditKeys {
        let (secret, signing) = freshSecrets()
        guard let keys = try? AuditKeys(secret: secret, signingKey: signing) else { preconditionFailure("fresh keys have the right sizes") }
        return keys
    }

    private static func freshSecrets() -> (Data, Data) {
        (SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }, Curve25519.Signing.PrivateKey().rawRepresentation)
    }

    /// The checkpoint key's public half, base64: what an inspector needs to check signatures.
    public var publicKey: String { signingKey.publicKey.rawRepresentation.base64EncodedString() }

    /// Reads the keys from `directory` (`audit-hash.key`, `audit-signing.key`), creating them
    /// with mode 0600 the first time.
    public static func loadOrCreate(directory: URL) throws -> AuditKeys {
        let files = FileManager.default
        let hashFile = directory.appendingPathComponent("audit-hash.key")
        let signingFile = directory.appendingPathComponent("audit-signing.key")
        if files.fileExists(atPath: hashFile.path) || files.fileExists(atPath: signingFile.path) {
            do {
                return try AuditKeys(secret: try Data(contentsOf: hashFile), signingKey: try Data(contentsOf: signingFile))
            } catch let error as GuardError {
                throw error
            } catch {
                throw GuardError.auditUnavailable("cannot read the audit keys in \(directory.path) (\(error.localizedDescription)); restore them from your backup — without them the audit chain cannot be extended or verified")
            }
        }
        do {
            try files.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let (secret, signing) = freshSecrets()
            try write(secret, to: hashFile)
            try write(signing, to: signingFile)
            return try AuditKeys(secret: try Data(contentsOf: hashFile), signingKey: try Data(contentsOf: signingFile))
        } catch let error as GuardError {
            throw error
        } catch {
            throw GuardError.auditUnavailable("cannot create the audit keys in \(directory.path): \(error.localizedDescription)")
        }
    }

    private static func write(_ data: Data, to url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw GuardError.auditUnavailable("cannot write \(url.path)")
        }
    }
}
