import Foundation
import Testing
@testable import SMSAuth
import SeededRandom

@Suite("Receipt PINs")
struct ReceiptPINTests {
    @Test("default length is 6 digits; length is configurable within 4 to 10")
    func lengths() throws {
        let (pin, _) = try ReceiptPINIssuer().issue(avoiding: [])
        #expect(pin.digits.count == 6)
        let allDigits = pin.digits.allSatisfy(\.isNumber)
        #expect(allDigits)
        let longer = try ReceiptPINIssuer(length: 8).issue(avoiding: [])
        #expect(longer.pin.digits.count == 8)
        #expect(throws: ReceiptPINError.invalidLength(3)) { try ReceiptPINIssuer(length: 3) }
        #expect(throws: ReceiptPINError.invalidLength(11)) { try ReceiptPINIssuer(length: 11) }
    }

    @Test("the digest verifies the PIN, rejects others, and does not contain it")
    func digest() throws {
        let (pin, digest) = try ReceiptPINIssuer().issue(avoiding: [])
        #expect(digest.matches(pin.digits))
        let other = String(pin.digits.reversed()) == pin.digits ? "000001" : String(pin.digits.reversed())
        #expect(!digest.matches(other))
        #expect(!digest.matches(""))
        #expect(digest.salt.count == 16)
        #expect(!digest.encoded.contains(pin.digits))
        #expect(ReceiptPINDigest(encoded: digest.encoded) == digest)
        #expect(ReceiptPINDigest(encoded: "v1:zz:00") == nil)
    }

    @Test("digest is HMAC-SHA256 keyed with the salt (vector from Python hmac)")
    func digestVector() throws {
        let salt = Array(UInt8(0)..<16)
        let expected = try PDUHex.decode("ea06bfed08cb2c1e97ab8c55486c28c8c26f3477fd63e2cf9337c22a4cd7431a")
        #expect(ReceiptPINDigest.hash("482913", salt: salt) == expected)
        #expect(ReceiptPINDigest(salt: salt, hash: expected).matches("482913"))
    }

    @Test("the same PIN gets a different salt each time")
    func salted() throws {
        var generator = SplitMix64(seed: 1)
        let pin = try #require(ReceiptPIN(digits: "482913"))
        let first = ReceiptPINDigest(pin: pin, using: &generator)
        let second = ReceiptPINDigest(pin: pin, using: &generator)
        #expect(first.hash != second.hash)
        #expect(first.matches("482913") && second.matches("482913"))
    }

    @Test("PINs are unique among open sessions")
    func uniqueness() throws {
        let issuer = try ReceiptPINIssuer(length: 4)
        var open: [ReceiptPINDigest] = []
        var seen: Set<String> = []
        for _ in 0..<200 {
            let (pin, digest) = try issuer.issue(avoiding: open)
            #expect(seen.insert(pin.digits).inserted)
            open.append(digest)
        }
    }

    @Test("a taken PIN is skipped; when all are taken the issuer gives up with a clear error")
    func takenPINs() throws {
        var generator = SplitMix64(seed: 42)
        let issuer = try ReceiptPINIssuer(length: 4, maxAttempts: 50)
        var firstAttempt = SplitMix64(seed: 42)
        let unconstrained = try issuer.issue(isInUse: { _ in false }, using: &firstAttempt).pin
        let (pin, _) = try issuer.issue(isInUse: { $0 == unconstrained }, using: &generator)
        #expect(pin != unconstrained)
        #expect(throws: ReceiptPINError.noFreePIN(attempts: 50)) {
            try issuer.issue(isInUse: { _ in true }, using: &generator)
        }
    }

    @Test("trivial PINs are never issued", arguments: ["000000", "111111", "123456", "654321", "3456"])
    func trivial(digits: String) {
        #expect(ReceiptPINIssuer.isTrivial(digits))
    }

    @Test("ordinary PINs are not trivial", arguments: ["482913", "112233", "135790"])
    func notTrivial(digits: String) {
        #expect(!ReceiptPINIssuer.isTrivial(digits))
    }

    @Test("a PIN prints as a mask")
    func masked() throws {
        let pin = try #require(ReceiptPIN(digits: "482913"))
        #expect("\(pin)" == "******")
        #expect(String(reflecting: pin) == "******")
    }
}

@Suite("Keypad wrong-PIN lockout")
struct KeypadLockoutTests {
    let start = Date(timeIntervalSince1970: 1_000_000)

    @Test("three free attempts, then 30 s, 60 s, 120 s ... up to 15 min")
    func growingDelay() {
        var lockout = KeypadLockout()
        #expect(lockout.recordFailure(at: start) == .allowed)
        #expect(lockout.recordFailure(at: start) == .allowed)
        #expect(lockout.recordFailure(at: start) == .locked(until: start.addingTimeInterval(30)))
        #expect(lockout.check(at: start.addingTimeInterval(29)) == .locked(until: start.addingTimeInterval(30)))
        #expect(lockout.check(at: start.addingTimeInterval(30)) == .allowed)
        let t1 = start.addingTimeInterval(30)
        #expect(lockout.recordFailure(at: t1) == .locked(until: t1.addingTimeInterval(60)))
        let t2 = t1.addingTimeInterval(60)
        #expect(lockout.recordFailure(at: t2) == .locked(until: t2.addingTimeInterval(120)))
        #expect(KeypadLockoutPolicy().delay(afterFailures: 20) == 900)
    }

    @Test("a correct PIN resets the count")
    func successResets() {
        var lockout = KeypadLockout()
        lockout.recordFailure(at: start)
        lockout.recordFailure(at: start)
        lockout.recordSuccess()
        #expect(lockout.recordFailure(at: start) == .allowed)
    }

    @Test("failures are forgotten after a quiet hour")
    func quietPeriod() {
        var lockout = KeypadLockout()
        for _ in 0..<3 { lockout.recordFailure(at: start) }
        let later = start.addingTimeInterval(3600)
        #expect(lockout.check(at: later) == .allowed)
        #expect(lockout.failures == 0)
        #expect(lockout.recordFailure(at: later) == .allowed)
    }

    @Test("each keypad has its own lockout")
    func perKeypad() {
        var lockouts = KeypadLockouts()
        for _ in 0..<3 { lockouts.recordFailure(keypad: "north", at: start) }
        #expect(lockouts.check(keypad: "north", at: start) == .locked(until: start.addingTimeInterval(30)))
        #expect(lockouts.check(keypad: "south", at: start) == .allowed)
        lockouts.recordSuccess(keypad: "north")
        #expect(lockouts.check(keypad: "north", at: start) == .allowed)
    }
}
