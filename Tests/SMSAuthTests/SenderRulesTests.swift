import Foundation
import Testing
@testable import SMSAuth

@Suite("Sender normalization, block list and rate limits")
struct SenderRulesTests {
    @Test("E.164 normalization", arguments: [
        ("+49 170 1234567", "491701234567"),
        ("+49 (170) 123-4567", "491701234567"),
        ("0049 170 1234567", "491701234567"),
        ("0170/1234567", "491701234567"),
        ("491701234567", "491701234567"),
        ("+43 664 1234567", "436641234567"),
        ("+49 (0)170 1234567", "491701234567"),
    ])
    func normalizes(raw: String, digits: String) throws {
        let number = try #require(E164Number(normalizing: raw, countryCode: "49"))
        #expect(number.digits == digits)
        #expect(number.description == "+" + digits)
    }

    @Test("implausible numbers are rejected", arguments: ["+0170123456", "+12345", "+1234567890123456", "0170 1234567"])
    func rejects(raw: String) {
        #expect(E164Number(normalizing: raw) == nil) // no country code: national numbers are refused too
    }

    @Test("automated senders get no reply")
    func automatedSenders() throws {
        let policy = try SenderPolicy(blockList: ["+49 171 0000000", "+49900*"], countryCode: "49")
        #expect(policy.decide(sender: "Vodafone") == .ignore(.alphanumericSender("Vodafone")))
        #expect(policy.decide(sender: "ParkBot 24") == .ignore(.alphanumericSender("ParkBot 24")))
        #expect(policy.decide(sender: "22255") == .ignore(.shortCode("22255")))
        #expect(policy.decide(sender: "+491710000000") == .ignore(.blocked(E164Number(digits: "491710000000")!)))
        #expect(policy.decide(sender: "09001234567") == .ignore(.blocked(E164Number(digits: "499001234567")!)))
        #expect(policy.decide(sender: "0170 1234567") == .accept(E164Number(digits: "491701234567")!))
    }

    @Test("a bad block list entry is a configuration error naming the entry")
    func badBlockList() {
        #expect(throws: SenderPolicyError.invalidBlockListEntry("hotline")) {
            try SenderPolicy(blockList: ["hotline"])
        }
    }

    @Test("token bucket refills one token per interval with injected time")
    func tokenBucket() {
        let start = Date(timeIntervalSince1970: 0)
        var bucket = TokenBucket(capacity: 2, refillInterval: 10, now: start)
        #expect(bucket.take(at: start) == true)
        #expect(bucket.take(at: start) == true)
        #expect(bucket.take(at: start.addingTimeInterval(5)) == false)
        #expect(bucket.waitTime(at: start.addingTimeInterval(5)) == 5)
        #expect(bucket.take(at: start.addingTimeInterval(10)) == true)
        #expect(bucket.take(at: start.addingTimeInterval(10)) == false)
        // A clock step backwards neither refills nor crashes.
        #expect(bucket.take(at: start) == false)
    }

    @Test("per-sender limit: burst, then one notice, then silence until refilled")
    func perSenderLimit() throws {
        let alice = try #require(E164Number(digits: "491701111111"))
        let bob = try #require(E164Number(digits: "491702222222"))
        var limiter = SMSRateLimiter(policy: RateLimitPolicy(perSenderBurst: 3, perSenderRefill: 60, perSiteBurst: 100, perSiteRefill: 1))
        let start = Date(timeIntervalSince1970: 0)
        for _ in 0..<3 { #expect(limiter.admit(alice, at: start) == .allow) }
        #expect(limiter.admit(alice, at: start) == .senderLimited(retryAfter: 60, notify: true))
        #expect(limiter.admit(alice, at: start.addingTimeInterval(1)) == .senderLimited(retryAfter: 59, notify: false))
        #expect(limiter.admit(bob, at: start.addingTimeInterval(1)) == .allow)
        #expect(limiter.admit(alice, at: start.addingTimeInterval(60)) == .allow)
        #expect(limiter.admit(alice, at: start.addingTimeInterval(61)) == .senderLimited(retryAfter: 59, notify: true))
    }

    @Test("site limit applies across senders, and idle senders are forgotten")
    func perSiteLimit() throws {
        var limiter = SMSRateLimiter(policy: RateLimitPolicy(perSenderBurst: 5, perSenderRefill: 60, perSiteBurst: 2, perSiteRefill: 30))
        let start = Date(timeIntervalSince1970: 0)
        let senders = try (1...3).map { try #require(E164Number(digits: "49170000000\($0)")) }
        #expect(limiter.admit(senders[0], at: start) == .allow)
        #expect(limiter.admit(senders[1], at: start) == .allow)
        #expect(limiter.admit(senders[2], at: start) == .siteLimited(retryAfter: 30, notify: true))
        #expect(limiter.admit(senders[2], at: start.addingTimeInterval(30)) == .allow)
        _ = limiter.admit(senders[0], at: start.addingTimeInterval(3600))
        #expect(limiter.trackedSenders == 1)
    }
}
