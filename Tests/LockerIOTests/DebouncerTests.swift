import Testing
@testable import LockerIO

@Suite("Debouncer")
struct DebouncerTests {
    @Test("a change becomes stable only after the settle time")
    func settles() {
        var debouncer = Debouncer(initial: .inactive, at: .ms(0), settleTime: .milliseconds(30))
        #expect(debouncer.sample(.active, at: .ms(100)) == nil)
        #expect(debouncer.nextDeadline == .ms(130))
        #expect(debouncer.advance(to: .ms(129)) == nil)
        #expect(debouncer.advance(to: .ms(130)) == .active)
        #expect(debouncer.stable == .active)
        #expect(debouncer.nextDeadline == nil)
    }

    @Test("bounces shorter than the settle time are ignored")
    func ignoresBounces() {
        var debouncer = Debouncer(initial: .inactive, at: .ms(0))
        for (index, level) in [LineLevel.active, .inactive, .active, .inactive].enumerated() {
            #expect(debouncer.sample(level, at: .ms(100 + Int64(index) * 5)) == nil)
        }
        #expect(debouncer.nextDeadline == nil)
        #expect(debouncer.advance(to: .ms(1000)) == nil)
        #expect(debouncer.stable == .inactive)
    }

    @Test("the settle time restarts at the last bounce")
    func restartsAtLastBounce() {
        var debouncer = Debouncer(initial: .inactive, at: .ms(0), settleTime: .milliseconds(30))
        _ = debouncer.sample(.active, at: .ms(100))
        _ = debouncer.sample(.inactive, at: .ms(110))
        _ = debouncer.sample(.active, at: .ms(120))
        #expect(debouncer.advance(to: .ms(140)) == nil)
        #expect(debouncer.advance(to: .ms(150)) == .active)
    }

    @Test("a late sample first settles the earlier change it proves held")
    func lateSample() {
        var debouncer = Debouncer(initial: .inactive, at: .ms(0), settleTime: .milliseconds(30))
        _ = debouncer.sample(.active, at: .ms(100))
        // No tick came; the next edge arrives long after the first settled.
        #expect(debouncer.sample(.inactive, at: .ms(500)) == .active)
        #expect(debouncer.nextDeadline == .ms(530))
        #expect(debouncer.advance(to: .ms(530)) == .inactive)
    }

    @Test("a zero settle time passes every change straight through")
    func zeroSettle() {
        var debouncer = Debouncer(initial: .inactive, at: .ms(0), settleTime: .zero)
        #expect(debouncer.sample(.active, at: .ms(1)) == .active)
        #expect(debouncer.sample(.inactive, at: .ms(2)) == .inactive)
    }
}
