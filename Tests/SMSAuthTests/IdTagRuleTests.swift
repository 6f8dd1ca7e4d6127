import Testing
@testable import SMSAuth

@Suite("Sender number to OCPP idTag")
struct IdTagRuleTests {
    let secret = Array("0123456789abcdef0123456789abcdef".utf8)
    let number = E164Number(digits: "491701234567")!

    @Test("keyed hash: SMS + 17 base32 characters of HMAC-SHA256 (vector from Python hmac/base64)")
    func keyedHashVector() throws {
        let rule = try IdTagRule.keyedHash(siteSecret: secret)
        #expect(rule.idTag(for: number) == "SMSJUQY7MRT2OEOLP5TF")
        #expect(rule.idTag(for: E164Number(digits: "491701234568")!) == "SMSBWE4KICD3BO2SVBVC")
    }

    @Test("a custom prefix keeps the tag at 20 characters")
    func customPrefix() throws {
        let tag = try IdTagRule.keyedHash(siteSecret: secret, prefix: "EV").idTag(for: number)
        #expect(tag == "EVJUQY7MRT2OEOLP5TFZ")
    }

    @Test("another site secret gives another pseudonym")
    func secretMatters() throws {
        let other = try IdTagRule.keyedHash(siteSecret: Array(repeating: 7, count: 32))
        #expect(other.idTag(for: number) != "SMSJUQY7MRT2OEOLP5TF")
        #expect(other.idTag(for: number).count == 20)
    }

    @Test("plain digits drop the plus and always fit")
    func plainDigits() {
        #expect(IdTagRule.plainDigits.idTag(for: number) == "491701234567")
        #expect(IdTagRule.plainDigits.idTag(for: E164Number(digits: "123456789012345")!).count == 15)
    }

    @Test("weak secrets and bad prefixes are refused; the secret never prints")
    func validation() throws {
        #expect(throws: IdTagRuleError.secretTooShort(bytes: 8)) { try IdTagRule.keyedHash(siteSecret: Array(repeating: 1, count: 8)) }
        #expect(throws: IdTagRuleError.invalidPrefix("SMS-")) { try IdTagRule.keyedHash(siteSecret: secret, prefix: "SMS-") }
        let rule = try IdTagRule.keyedHash(siteSecret: secret)
        #expect(!String(describing: rule).contains("0123456789abcdef"))
    }

    @Test("base32 follows RFC 4648 test vectors")
    func base32() {
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(Base32.encode(Array("f".utf8)) == "MY")
    }
}
