import NuriIdentity
import Testing

@Suite("Identity rules that need no database")
struct IdentityRulesTests {
    @Test("tokens look like nuri_ + 43 base62 characters and are all different")
    func tokenFormat() {
        let tokens = (0..<200).map { _ in TokenSecret.generate().value }
        #expect(Set(tokens).count == tokens.count)
        for token in tokens {
            #expect(token.hasPrefix("nuri_"))
            #expect(token.count == 48)
            #expect(token.dropFirst(5).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
            #expect(TokenSecret(presented: token) != nil)
        }
        #expect(TokenSecret(presented: "nuri_short") == nil)
        #expect(TokenSecret(presented: "nuri_" + String(repeating: "!", count: 43)) == nil)
    }

    @Test("a secret's description shows only its prefix")
    func secretNeverPrinted() {
        let secret = TokenSecret.generate()
        #expect(!"\(secret)".contains(secret.value))
        #expect("\(secret)".hasPrefix(secret.prefix))
    }

    @Test("hash comparison accepts the right token only")
    func hashMatching() {
        let secret = TokenSecret.generate()
        #expect(secret.matches(storedHash: secret.hash))
        #expect(!secret.matches(storedHash: TokenSecret.generate().hash))
        #expect(!secret.matches(storedHash: ""))
    }

    @Test("scope lists parse with commas or spaces and refuse unknown names")
    func scopeParsing() throws {
        #expect(try Scope.parseList("read,write") == [.read, .write])
        #expect(try Scope.parseList(" inference admin ") == [.inference, .admin])
        #expect(throws: IdentityError.self) { try Scope.parseList("read,sudo") }
        #expect(throws: IdentityError.self) { try Scope.parseList("") }
    }

    @Test("lifetimes parse with units, 'never' means no expiry, nonsense is refused")
    func lifetimes() throws {
        #expect(try TokenLifetime.parse("30d") == 30 * 86_400)
        #expect(try TokenLifetime.parse("12h") == 12 * 3_600)
        #expect(try TokenLifetime.parse("2w") == 14 * 86_400)
        #expect(try TokenLifetime.parse("never") == nil)
        for bad in ["", "30", "d", "-1d", "0d", "1x", "999999999y"] {
            #expect(throws: IdentityError.self, "\(bad)") { try TokenLifetime.parse(bad) }
        }
    }

    @Test("names follow the hub's rules", arguments: ["a", "seoul-city", "kaist.ai", "team_7", String(repeating: "x", count: 64)])
    func goodNames(name: String) throws {
        try Name.validate(name, kind: "organisation")
    }

    @Test("bad names are refused", arguments: ["", "-lead", "a..b", "end.", "with space", "한국", "a/b", String(repeating: "x", count: 65)])
    func badNames(name: String) {
        #expect(throws: IdentityError.self) { try Name.validate(name, kind: "organisation") }
    }

    static let org = Organisation(id: "org_1", name: "seoul-city", sector: .public, createdAt: 0)
    static func principal(role: Role?, scopes: [Scope], isOperator: Bool = false, tokenOrganisation: String? = nil) -> Principal {
        let user = User(id: "usr_1", name: "minji", isOperator: isOperator, createdAt: 0)
        let token = APIToken(id: "tok_1", userID: "usr_1", organisationID: tokenOrganisation, name: "t", prefix: "nuri_x",
                             scopes: scopes, createdAt: 0, expiresAt: nil, lastUsedAt: nil, revokedAt: nil)
        let memberships = role.map { [Membership(userID: "usr_1", organisationID: "org_1", organisationName: "seoul-city", sector: .public, role: $0)] } ?? []
        return Principal(user: user, token: token, memberships: memberships)
    }

    @Test("admins may add members and admins but not owners; owners and operators may add owners")
    func grantingRoles() throws {
        let admin = Self.principal(role: .admin, scopes: [.admin])
        try admin.requireCanGrant(.member, in: Self.org)
        try admin.requireCanGrant(.admin, in: Self.org)
        #expect(throws: IdentityError.self) { try admin.requireCanGrant(.owner, in: Self.org) }
        try Self.principal(role: .owner, scopes: [.admin]).requireCanGrant(.owner, in: Self.org)
        try Self.principal(role: nil, scopes: [.admin], isOperator: true).requireCanGrant(.owner, in: Self.org)
        #expect(throws: IdentityError.self) { try Self.principal(role: .member, scopes: [.admin]).requireCanGrant(.member, in: Self.org) }
    }

    @Test("a token cannot mint a token with wider scopes, nor one for someone else")
    func noEscalation() throws {
        let caller = Self.principal(role: .member, scopes: [.read, .write])
        let me = caller.user
        try caller.requireCanIssueToken(for: me, scopes: [.read])
        #expect(throws: IdentityError.self) { try caller.requireCanIssueToken(for: me, scopes: [.read, .admin]) }
        let someoneElse = User(id: "usr_2", name: "jisoo", isOperator: false, createdAt: 0)
        #expect(throws: IdentityError.self) { try caller.requireCanIssueToken(for: someoneElse, scopes: [.read]) }
    }

    @Test("an operator's organisation-scoped token is not an operator token")
    func scopedOperator() {
        #expect(Self.principal(role: nil, scopes: [.admin], isOperator: true).isOperator)
        #expect(!Self.principal(role: nil, scopes: [.admin], isOperator: true, tokenOrganisation: "org_1").isOperator)
    }
}
