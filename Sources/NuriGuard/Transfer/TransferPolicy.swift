import Foundation

/// The decision on every gateway request that may carry personal data (PIPA Art. 17, 18, 22,
/// 23, 24, 24-2, 26, 28-8), from the scanner's findings, the destination, the caller's
/// organisation rules and the consent ledger:
///
/// - in-house and entrusted backends in Korea: allowed (entrustment is not provision);
/// - third-party backends: personal data only with a matching `third_party_provision` consent
///   (subject, recipient, purpose), otherwise masked or blocked per the organisation's rules;
/// - overseas backends: only with an `overseas_transfer` consent naming the country;
/// - passport, driver's licence and alien registration numbers going outside also need a
///   `unique_identifier` consent;
/// - resident registration numbers are never forwarded, whatever the consent (Art. 24-2);
/// - sensitive information going outside needs a `sensitive` consent; a topic cannot be
///   masked, so without one the request is blocked.
///
/// Every decision on personal data appends an audit record (types, counts, keyed hashes), and
/// every transfer under consent a disclosure the data subject can see. Errors propagate: the
/// caller must treat them as a block (fail closed).
public struct TransferPolicy: Sendable {
    let scanner: PIIScanner
    let ledger: ConsentLedger
    let rules: TransferRulesStore
    let audit: AuditLog

    public init(scanner: PIIScanner = PIIScanner(), ledger: ConsentLedger, rules: TransferRulesStore, audit: AuditLog) {
        self.scanner = scanner
        self.ledger = ledger
        self.rules = rules
        self.audit = audit
    }

    static let uniqueIdentifiers: Set<PIIEntityType> = [.arn, .passport, .driverLicense]

    public func decide(_ request: TransferRequest) async throws -> TransferDecision {
        let destination = request.destination
        let scans = request.texts.map { scanner.scan($0) }
        if scans.allSatisfy(\.isEmpty) {
            // Most requests: nothing found, nothing to count or record.
            return TransferDecision(action: .allow, reason: "no_personal_data", message: "", texts: request.texts, entities: [:], sensitive: [],
                                    output: outputScreen(for: request, permitted: Self.permittedInside(destination), masker: PIIMasker()))
        }
        let found = scans.flatMap(\.entities)
        let sensitive = scans.reduce(into: Set<SensitiveCategory>()) { $0.formUnion($1.sensitiveCategories) }.sorted()
        var counts: [String: Int] = [:]
        for entity in found { counts[entity.type.rawValue, default: 0] += 1 }
        for category in sensitive { counts["sensitive:" + category.rawValue, default: 0] += 1 }

        // Which types may go, and under which consents.
        var permitted = Self.permittedInside(destination)
        var consentIDs: [String] = []
        var missing: (reason: String, rule: TransferRules.WithoutConsent, kind: ConsentKind)?
        var reason = destination.relationship == .inHouse ? "in_house" : "entrusted_domestic"
        if destination.isOutside {
            let rules = try await rules.rules(for: request.organisationID)
            func consent(_ kind: ConsentKind, country: String? = nil) async throws -> Consent? {
                guard let organisation = request.organisationID, let subject = request.subject else { return nil }
                return try await ledger.matching(kind: kind, organisationID: organisation, subject: subject, recipient: destination.recipient,
                                                 purpose: request.purpose, country: country)
            }
            var covered = true
            if destination.isThirdParty {
                if let found = try await consent(.thirdPartyProvision) { consentIDs.append(found.id) } else {
                    covered = false
                    missing = ("no_third_party_consent", rules.thirdParty, .thirdPartyProvision)
                }
            }
            if destination.isOverseas {
                if let found = try await consent(.overseasTransfer, country: destination.jurisdiction) { consentIDs.append(found.id) } else {
                    covered = false
                    if missing == nil || rules.overseas == .block {
                        missing = ("no_overseas_consent", rules.overseas, .overseasTransfer)
                    }
                }
            }
            permitted = []
            if covered {
                reason = "consent"
                permitted = Self.allButResidentNumbers.subtracting(Self.uniqueIdentifiers)
                if found.contains(where: { Self.uniqueIdentifiers.contains($0.type) }) {
                    if let unique = try await consent(.uniqueIdentifier) {
                        consentIDs.append(unique.id)
                        permitted.formUnion(Self.uniqueIdentifiers)
                    } else {
                        missing = ("no_unique_identifier_consent", destination.isThirdParty ? rules.thirdParty : rules.overseas, .uniqueIdentifier)
                    }
                }
            }
            if !sensitive.isEmpty {
                if covered, let granted = try await consent(.sensitive) {
                    consentIDs.append(granted.id)
                } else {
                    let names = sensitive.map(\.rawValue).joined(separator: ", ")
                    return try await block(request, reason: "sensitive_without_consent", counts: counts, found: found, scans: scans, message: """
                        the request holds sensitive information (\(names)) and model '\(destination.recipient)' is \(Self.describe(destination)); \
                        that needs the data subject's separate 'sensitive' consent\(covered ? "" : " (and a \(missing?.kind.rawValue ?? "transfer") consent)") for this recipient. \
                        Record it with POST /api/consents and send the X-Nuri-Data-Subject header, or use an in-house model
                        """)
                }
            }
        }

        let masked = found.filter { !permitted.contains($0.type) }
        let blockedTypes = Set(masked.map(\.type)).subtracting([.rrn])
        if !blockedTypes.isEmpty, let missing, missing.rule == .block {
            let names = blockedTypes.map(\.rawValue).sorted().joined(separator: ", ")
            return try await block(request, reason: missing.reason, counts: counts, found: found, scans: scans, message: """
                the request holds personal data (\(names)) and model '\(destination.recipient)' is \(Self.describe(destination)); your \
                organisation's policy blocks that without the data subject's '\(missing.kind.rawValue)' consent. Record the consent with \
                POST /api/consents and send X-Nuri-Data-Subject (and X-Nuri-Purpose), remove the personal data, or use an in-house model
                """)
        }

        var masker = PIIMasker()
        var texts = request.texts
        if !masked.isEmpty {
            for index in texts.indices {
                let entities = scans[index].entities.filter { !permitted.contains($0.type) }
                texts[index] = masker.mask(texts[index], entities: entities, modeFor: { $0 == .rrn ? .placeholder : .pseudonym })
            }
            reason = blockedTypes.isEmpty ? "rrn_never_forwarded" : (missing?.reason ?? reason)
        }
        let action: TransferDecision.Action = masked.isEmpty ? .allow : .mask
        try await record(request, decision: action.rawValue, reason: reason, counts: counts, found: found, scans: scans)
        let passed = Set(found.map(\.type)).intersection(permitted)
        if destination.isOutside, !passed.isEmpty || !sensitive.isEmpty, let organisation = request.organisationID, let subject = request.subject {
            try await ledger.recordDisclosure(Disclosure(
                organisationID: organisation, subject: subject, recipient: destination.recipient, jurisdiction: destination.jurisdiction,
                relationship: destination.relationship.rawValue, consentIDs: consentIDs,
                entityTypes: passed.map(\.rawValue).sorted() + sensitive.map { "sensitive:" + $0.rawValue }))
        }
        return TransferDecision(action: action, reason: reason, message: "", texts: texts, entities: counts, sensitive: sensitive,
                                output: outputScreen(for: request, permitted: permitted, masker: masker))
    }

    static let allTypes = Set(PIIEntityType.allCases)
    static let allButResidentNumbers = allTypes.subtracting([.rrn])
    static let residentNumbers: Set<PIIEntityType> = [.rrn]

    /// What the answer's screen masks: what was not permitted (the usual two made once).
    static func masked(whenPermitted permitted: Set<PIIEntityType>) -> Set<PIIEntityType> {
        if permitted.isEmpty { return allTypes }
        // Every permitted set is a subset of `allTypes`: one of its size without `.rrn` is that one.
        if permitted.count == allButResidentNumbers.count, !permitted.contains(.rrn) { return residentNumbers }
        return allTypes.subtracting(permitted)
    }

    /// Inside Korea and the controller's hands, everything but resident registration numbers.
    static func permittedInside(_ destination: Destination) -> Set<PIIEntityType> {
        destination.isOutside ? [] : allButResidentNumbers
    }

    static func describe(_ destination: Destination) -> String {
        switch (destination.isThirdParty, destination.isOverseas) {
        case (true, true): "run by a third party in \(destination.jurisdiction)"
        case (true, false): "run by a third party"
        case (false, true): "abroad (\(destination.jurisdiction))"
        case (false, false): "in house"
        }
    }

    private func outputScreen(for request: TransferRequest, permitted: Set<PIIEntityType>, masker: PIIMasker) -> OutputScreen {
        OutputScreen(scanner: scanner, masked: Self.masked(whenPermitted: permitted), masker: masker,
                     holdBack: request.destination.isOutside ? 32 : 0, audit: audit,
                     entry: AuditEntry(actor: request.actor, organisationID: request.organisationID, action: "gateway.output",
                                       target: request.destination.recipient, decision: "mask", reason: "output_screened"))
    }

    private func block(_ request: TransferRequest, reason: String, counts: [String: Int], found: [PIIEntity], scans: [ScanResult],
                       message: String) async throws -> TransferDecision {
        try await record(request, decision: "block", reason: reason, counts: counts, found: found, scans: scans)
        return TransferDecision(action: .block, reason: reason, message: message, texts: [], entities: counts,
                                sensitive: [], output: outputScreen(for: request, permitted: [], masker: PIIMasker()))
    }

    private func record(_ request: TransferRequest, decision: String, reason: String, counts: [String: Int], found: [PIIEntity],
                        scans: [ScanResult]) async throws {
        var hashes: [String] = []
        for (index, scan) in scans.enumerated() where !scan.entities.isEmpty {
            let scalars = Array(request.texts[index].unicodeScalars)
            for entity in scan.entities where entity.start >= 0 && entity.end <= scalars.count && entity.start < entity.end {
                var value = String.UnicodeScalarView()
                value.append(contentsOf: scalars[entity.start..<entity.end])
                hashes.append(audit.keyedHash(value: String(value), type: entity.type))
            }
        }
        try await audit.append(AuditEntry(
            actor: request.actor, organisationID: request.organisationID, action: "gateway.transfer", target: request.destination.recipient,
            decision: decision, reason: reason, entities: counts, valueHashes: hashes,
            subjectHash: request.subject.map { audit.keyedHash(subject: $0) }))
    }
}
