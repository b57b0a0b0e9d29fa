import ArgumentParser

/// `nuri pii`: Korean personal-data detection and masking (NuriGuard).
struct PIICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pii",
        abstract: "Find and mask Korean personal data: resident numbers, phones, cards, accounts, names, addresses …",
        discussion: """
            Types: RRN (주민등록번호), ARN (외국인등록번호), PASSPORT, DRIVER_LICENSE,
            BRN (사업자등록번호), CRN (법인등록번호), PHONE, CARD, BANK_ACCOUNT, EMAIL, IP,
            ADDRESS, PERSON. Numbers are validated (dates, check digits, issuer
            prefixes), not just matched. The sensitive categories of PIPA Art. 23
            (health, beliefs, union, politics, sex_life, genetic, criminal, biometric,
            race) are flagged per text.

            Offsets are Unicode code points, end exclusive: Python's str indexes.

            Examples:
              echo "주민번호 900101-1234568, 연락처 010-1234-5678" | nuri pii scan
              nuri pii mask --mode pseudonym prompts.txt
              nuri pii bench --corpus Tests/NuriGuardTests/Fixtures/pii-corpus.jsonl
            """,
        subcommands: [PIIScanCommand.self, PIIMaskCommand.self, PIIBenchCommand.self]
    )
}
