import Testing
@testable import NuriGuard

/// The check-digit, date and prefix rules, on their own. Valid numbers were computed with the
/// published rules (see scripts/make-pii-corpus.py); none belongs to anyone.
@Suite("Validators")
struct ValidatorTests {
    @Test("calendar dates: month lengths and leap years")
    func calendar() {
        #expect(CalendarDate.isValid(year: 2000, month: 2, day: 29))     // divisible by 400
        #expect(!CalendarDate.isValid(year: 1900, month: 2, day: 29))    // divisible by 100 only
        #expect(CalendarDate.isValid(year: 2024, month: 2, day: 29))
        #expect(!CalendarDate.isValid(year: 2023, month: 2, day: 29))
        #expect(!CalendarDate.isValid(year: 1990, month: 4, day: 31))
        #expect(CalendarDate.isValid(year: 1990, month: 12, day: 31))
        #expect(!CalendarDate.isValid(year: 1990, month: 13, day: 1))
        #expect(!CalendarDate.isValid(year: 1990, month: 0, day: 1))
        #expect(!CalendarDate.isValid(year: 1990, month: 1, day: 0))
    }

    @Test("RRN: century from the 7th digit, birth date, pre-2020 check digit")
    func residentNumber() {
        #expect(ResidentNumber.hasValidCitizenChecksum(Digits("900101-1234568")))
        #expect(!ResidentNumber.hasValidCitizenChecksum(Digits("900101-1234567")))
        #expect(ResidentNumber.hasValidCitizenChecksum(Digits("850315-1234566")))
        #expect(ResidentNumber.hasValidBirthDate(Digits("900101-1")))
        // 000229 is a date in 2000 (7th digit 3) but not in 1900 (7th digit 1).
        #expect(ResidentNumber.hasValidBirthDate(Digits("000229-3")))
        #expect(!ResidentNumber.hasValidBirthDate(Digits("000229-1")))
        #expect(!ResidentNumber.hasValidBirthDate(Digits("901301-1")))
        #expect(ResidentNumber.century(seventhDigit: 9) == 1800)
        #expect(ResidentNumber.century(seventhDigit: 2) == 1900)
        #expect(ResidentNumber.century(seventhDigit: 4) == 2000)
        #expect(ResidentNumber.century(seventhDigit: 6) == 1900)
        #expect(ResidentNumber.holder(seventhDigit: 1) == .citizen)
        #expect(ResidentNumber.holder(seventhDigit: 0) == .citizen)
        #expect(ResidentNumber.holder(seventhDigit: 7) == .alien)
        // Too short: no crash, no pass.
        #expect(!ResidentNumber.hasValidCitizenChecksum(Digits("900101")))
        #expect(!ResidentNumber.hasValidBirthDate(Digits("9001")))
    }

    @Test("ARN: the alien check digit is (13 − Σ mod 11) mod 10")
    func alienNumber() {
        #expect(ResidentNumber.hasValidAlienChecksum(Digits("900101-5123452")))
        #expect(ResidentNumber.hasValidAlienChecksum(Digits("850315-6123453")))
        #expect(!ResidentNumber.hasValidCitizenChecksum(Digits("900101-5123452")))
        #expect(!ResidentNumber.hasValidAlienChecksum(Digits("900101-5123451")))
    }

    @Test("CRN: weights 1,2,1,2,… and (10 − Σ mod 10) mod 10")
    func corporateNumber() {
        #expect(CorporateNumber.hasValidChecksum(Digits("110111-0123458")))
        #expect(CorporateNumber.hasValidChecksum(Digits("134811-0001230")))
        #expect(!CorporateNumber.hasValidChecksum(Digits("110111-0123456")))
        #expect(!CorporateNumber.hasValidChecksum(Digits("11011101234")))
    }

    @Test("BRN: weights 1,3,7,1,3,7,1,3,5 plus ⌊5·d9/10⌋")
    func businessNumber() {
        #expect(BusinessNumber.hasValidChecksum(Digits("220-81-62517")))
        #expect(BusinessNumber.hasValidChecksum(Digits("120-81-12342")))
        #expect(BusinessNumber.hasValidChecksum(Digits("101-01-56783")))
        #expect(!BusinessNumber.hasValidChecksum(Digits("220-81-62518")))
        #expect(!BusinessNumber.hasValidChecksum(Digits("020-81-62517")))   // tax offices never start with 0
    }

    @Test("cards: Luhn and issuer prefixes with their lengths")
    func cards() {
        #expect(Luhn.isValid(Digits("4111111111111111")))
        #expect(!Luhn.isValid(Digits("4111111111111112")))
        #expect(Luhn.isValid(Digits("378282246310005")))
        #expect(CardIssuer.isKnown(Digits("4111111111111111")))      // Visa 16
        #expect(CardIssuer.isKnown(Digits("5400000000000005")))      // Mastercard
        #expect(CardIssuer.isKnown(Digits("378282246310005")))       // Amex 15
        #expect(!CardIssuer.isKnown(Digits("3782822463100051")))     // Amex is never 16
        #expect(CardIssuer.isKnown(Digits("3530111333300000")))      // JCB
        #expect(CardIssuer.isKnown(Digits("9410123456789010")))      // domestic
        #expect(!CardIssuer.isKnown(Digits("1234567812345670")))     // no issuer starts with 1
        #expect(!CardIssuer.isKnown(Digits("2000000000000000")))     // 2-series Mastercard starts at 2221
    }

    @Test("EAN-13 barcodes")
    func barcodes() {
        #expect(EAN13.isValid(Digits("8801234567893")))
        #expect(!EAN13.isValid(Digits("8801234567890")))
    }

    @Test("phone prefixes: mobile, area codes, internet phones; company prefixes refused")
    func phonePrefixes() {
        #expect(PhoneNumberRule.kind(of: Digits("01012345678")) == .mobile)
        #expect(PhoneNumberRule.kind(of: Digits("0101234567")) == nil)        // 010 needs 8 digits after
        #expect(PhoneNumberRule.kind(of: Digits("0111234567")) == .mobile)    // 011 with a 3-digit exchange
        #expect(PhoneNumberRule.kind(of: Digits("0212345678")) == .landline)
        #expect(PhoneNumberRule.kind(of: Digits("021234567")) == .landline)
        #expect(PhoneNumberRule.kind(of: Digits("0311234567")) == .landline)
        #expect(PhoneNumberRule.kind(of: Digits("07012345678")) == .internet)
        #expect(PhoneNumberRule.kind(of: Digits("0801234567")) == nil)        // free call
        #expect(PhoneNumberRule.kind(of: Digits("05051234567")) == nil)       // relay number
        #expect(PhoneNumberRule.kind(of: Digits("0601234567")) == nil)        // paid line
        #expect(PhoneNumberRule.kind(of: Digits("0351234567")) == nil)        // no such area
        #expect(PhoneNumberRule.kind(of: Digits("0201234567")) == nil)        // exchanges do not start with 0
        #expect(PhoneNumberRule.kind(of: Digits("15881234")) == nil)
    }

    @Test("driver licence regions 11–26 and 28")
    func licenceRegions() {
        #expect(DriverLicenseRule.isRegionCode(11))
        #expect(DriverLicenseRule.isRegionCode(26))
        #expect(!DriverLicenseRule.isRegionCode(27))
        #expect(DriverLicenseRule.isRegionCode(28))
        #expect(!DriverLicenseRule.isRegionCode(10))
    }

    @Test("inline digit strings hold 32 digits and count past them without trapping")
    func digitStrings() {
        var digits = Digits("12345678901234567890123456789012345")
        #expect(digits.count == 35)
        #expect(digits[0] == 1 && digits[31] == 2)
        #expect(digits[34] == 0 && digits[-1] == 0)
        digits.append(9)
        #expect(digits.count == 36)
        #expect(Digits("0-1-2").description == "012")
        #expect(DigitGroups(3, 4, 4).elementsEqual([3, 4, 4]))
    }
}
