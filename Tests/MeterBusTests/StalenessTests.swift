import Foundation
import Testing
@testable import MeterBus

@Suite("Staleness and polling")
struct StalenessTests {
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    @Test("failing for staleAfter makes a device stale once; a good read recovers it")
    func stateMachine() {
        var tracker = StalenessTracker(device: "grid", staleAfter: 10, startedAt: t0)
        #expect(tracker.recordSuccess(at: t0 + 1) == nil)
        #expect(tracker.recordFailure(at: t0 + 5, error: "timeout") == nil)
        guard case let .becameStale(notice) = tracker.recordFailure(at: t0 + 11, error: "timeout") else {
            Issue.record("expected stale")
            return
        }
        #expect(notice.lastReadingAt == t0 + 1)
        #expect(notice.detectedAt == t0 + 11)
        #expect(notice.lastError == "timeout")
        #expect(tracker.isStale)
        #expect(tracker.recordFailure(at: t0 + 12, error: "timeout") == nil)
        #expect(tracker.recordSuccess(at: t0 + 13) == .recovered)
        #expect(!tracker.isStale)
        #expect(tracker.check(at: t0 + 22) == nil)
        #expect(tracker.check(at: t0 + 23) != nil)
    }

    @Test("a device that never answers becomes stale staleAfter after start")
    func neverAnswered() {
        var tracker = StalenessTracker(device: "pv", staleAfter: 30, startedAt: t0)
        #expect(tracker.check(at: t0 + 29) == nil)
        guard case let .becameStale(notice) = tracker.check(at: t0 + 30) else {
            Issue.record("expected stale")
            return
        }
        #expect(notice.lastReadingAt == nil)
    }

    @Test("the poller publishes timed readings, then an explicit stale, then recovers")
    func poller() async throws {
        let profile = try ProfileCatalog.shipped().profile(named: "eastron-sdm120")
        var image = SimulatedDevice(unit: 1, profile: profile)
        image.set("power", to: 1500)
        let bus = InMemoryBus(device: image)
        let clock = VirtualClock()
        let device = MeterDevice(id: "compartment-1", bus: bus, unit: 1, profile: profile, clock: clock)
        let poller = DevicePoller(device: device, settings: .init(interval: .seconds(1), staleAfter: .seconds(5)), clock: clock)
        let updates = await poller.updates()
        await poller.start()

        var phase = 0
        var lastReading: MeterReading?
        var readingTimes: [Date] = []
        for await update in updates {
            switch (phase, update) {
            case let (0, .reading(reading)):
                #expect(reading["power"] == 1500)
                readingTimes.append(reading.time)
                lastReading = reading
                if readingTimes.count == 3 {
                    await bus.setSilent(true)
                    phase = 1
                }
            case let (1, .reading(reading)):
                // The poller runs ahead on the virtual clock: readings taken before the bus fell silent may
                // still be in the stream. A silent bus cannot produce one, so each is an old value.
                #expect(reading["power"] == 1500)
                lastReading = reading
            case let (1, .stale(notice)):
                let last = try #require(lastReading)
                #expect(notice.device == "compartment-1")
                #expect(notice.lastReadingAt == last.time, "the notice names the last good reading")
                #expect(notice.detectedAt.timeIntervalSince(last.time) >= 5)
                #expect(notice.lastError.contains("no answer"))
                #expect(await poller.latest?.isStale == true)
                await bus.set("power", 200)
                await bus.setSilent(false)
                phase = 2
            case let (2, .reading(reading)):
                #expect(reading["power"] == 200)
                #expect(reading.time > lastReading!.time)
                phase = 3
            default:
                Issue.record("unexpected \(update) in phase \(phase)")
            }
            if phase == 3 { break }
        }
        #expect(phase == 3)
        // Each reading carries its own (injected) time, on the 1 s polling grid. The poller runs ahead on the
        // virtual clock and the stream keeps only the newest updates, so two received readings may be more
        // than one interval apart, but never off the grid and never out of order.
        for (earlier, later) in zip(readingTimes, readingTimes.dropFirst()) {
            let gap = later.timeIntervalSince(earlier)
            #expect(gap >= 1 && gap == gap.rounded(), "readings at \(earlier) and \(later)")
        }
        await poller.stop()
    }
}
