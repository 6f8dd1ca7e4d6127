import Testing

@testable import OCPP
import SeededRandom

@Suite("Transport: reconnect backoff and link watchdog")
struct TransportBackoffTests {
    private func seconds(_ duration: Duration) -> Double { ReconnectBackoff.seconds(duration) }

    @Test func withoutJitterDelaysDoubleUpToTheCap() {
        var backoff = ReconnectBackoff(settings: .init(
            initialDelay: .seconds(2), maximumDelay: .seconds(30), multiplier: 2, jitterFraction: 0))
        var random = SplitMix64(seed: 1)
        let delays = (0..<7).map { _ in seconds(backoff.nextDelay(using: &random)) }
        #expect(delays == [2, 4, 8, 16, 30, 30, 30])
        #expect(backoff.failures == 7)
    }

    @Test func resetStartsAgainFromTheInitialDelay() {
        var backoff = ReconnectBackoff(settings: .init(initialDelay: .seconds(1), jitterFraction: 0))
        var random = SplitMix64(seed: 1)
        _ = backoff.nextDelay(using: &random)
        _ = backoff.nextDelay(using: &random)
        backoff.reset()
        #expect(seconds(backoff.nextDelay(using: &random)) == 1)
    }

    @Test func jitterOnlyShortensAndStaysWithinItsFraction() {
        let settings = ReconnectBackoffSettings(
            initialDelay: .seconds(1), maximumDelay: .seconds(60), multiplier: 2, jitterFraction: 0.5)
        var backoff = ReconnectBackoff(settings: settings)
        var random = SplitMix64(seed: 42)
        var sawJitter = false
        for _ in 0..<12 {
            let ceiling = seconds(backoff.currentCeiling)
            let delay = seconds(backoff.nextDelay(using: &random))
            #expect(delay <= ceiling)
            #expect(delay >= ceiling * 0.5)
            if delay < ceiling { sawJitter = true }
        }
        #expect(sawJitter)
    }

    @Test func sameSeedGivesTheSameSchedule() {
        func schedule(seed: UInt64) -> [Duration] {
            var backoff = ReconnectBackoff()
            var random = SplitMix64(seed: seed)
            return (0..<6).map { _ in backoff.nextDelay(using: &random) }
        }
        #expect(schedule(seed: 9) == schedule(seed: 9))
        #expect(schedule(seed: 9) != schedule(seed: 10))
    }

    @Test func defaultsRetryWithinAFewSecondsAndSurviveLongOutages() {
        var backoff = ReconnectBackoff()
        var random = SplitMix64(seed: 3)
        #expect(seconds(backoff.nextDelay(using: &random)) <= 5)
        for _ in 0..<500 { _ = backoff.nextDelay(using: &random) }
        #expect(seconds(backoff.nextDelay(using: &random)) <= seconds(backoff.settings.maximumDelay))
    }

    // MARK: LinkWatchdog

    private let start = ContinuousClock.Instant.now

    private func at(_ offset: Double) -> ContinuousClock.Instant {
        start.advanced(by: .milliseconds(Int(offset * 1000)))
    }

    @Test func pingsAreDueEveryIntervalAndSilenceBeyondIntervalPlusTimeoutIsDead() {
        var watchdog = LinkWatchdog(pingInterval: .seconds(10), pingTimeout: .seconds(5), connectedAt: at(0))
        #expect(watchdog.nextAction(now: at(3)) == .waitUntil(at(10)))
        #expect(watchdog.nextAction(now: at(10)) == .sendPing)
        watchdog.pingSent(at: at(10))
        #expect(watchdog.nextAction(now: at(11)) == .waitUntil(at(15)))
        #expect(watchdog.nextAction(now: at(15)) == .declareDead)
    }

    @Test func anyReceivedFrameKeepsTheLinkAlive() {
        var watchdog = LinkWatchdog(pingInterval: .seconds(10), pingTimeout: .seconds(5), connectedAt: at(0))
        watchdog.pingSent(at: at(10))
        watchdog.frameReceived(at: at(12))  // the pong
        #expect(watchdog.nextAction(now: at(15)) == .waitUntil(at(20)))
        #expect(watchdog.nextAction(now: at(20)) == .sendPing)
        watchdog.pingSent(at: at(20))
        #expect(watchdog.nextAction(now: at(26.9)) == .waitUntil(at(27)))
        #expect(watchdog.nextAction(now: at(27)) == .declareDead)
    }

    @Test func zeroIntervalDisablesPingsAndChangingItTakesEffect() {
        var watchdog = LinkWatchdog(pingInterval: .zero, pingTimeout: .seconds(5), connectedAt: at(0))
        #expect(watchdog.nextAction(now: at(1000)) == .idle)
        watchdog.frameReceived(at: at(1000))
        watchdog.update(pingInterval: .seconds(1), pingTimeout: .seconds(1))
        #expect(watchdog.nextAction(now: at(1000.5)) == .sendPing)
    }
}
