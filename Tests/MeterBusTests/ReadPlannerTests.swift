import Testing
@testable import MeterBus

@Suite("Read planner")
struct ReadPlannerTests {
    func span(_ address: Int, _ count: Int = 2, _ function: RegisterFunction = .input) -> RegisterSpan {
        RegisterSpan(function: function, address: address, count: count)
    }

    @Test("contiguous values become one request")
    func contiguous() throws {
        let plan = try ReadPlanner.plan([span(4), span(0), span(2)], limits: .init(maxRegistersPerRequest: 100, maxGap: 0))
        #expect(plan == [span(0, 6)])
    }

    @Test("gaps up to maxGap are bridged, larger ones split")
    func gaps() throws {
        let spans = [span(0), span(6), span(30)]
        #expect(try ReadPlanner.plan(spans, limits: .init(maxRegistersPerRequest: 100, maxGap: 4)) == [span(0, 8), span(30)])
        #expect(try ReadPlanner.plan(spans, limits: .init(maxRegistersPerRequest: 100, maxGap: 3)) == [span(0), span(6), span(30)])
        #expect(try ReadPlanner.plan(spans, limits: .init(maxRegistersPerRequest: 100, maxGap: 22)) == [span(0, 32)])
    }

    @Test("requests never exceed the per-request limit")
    func limit() throws {
        let spans = (0..<10).map { span($0 * 2) }
        let plan = try ReadPlanner.plan(spans, limits: .init(maxRegistersPerRequest: 6, maxGap: 0))
        #expect(plan == [span(0, 6), span(6, 6), span(12, 6), span(18, 2)])
        #expect(plan.allSatisfy { $0.count <= 6 })
    }

    @Test("functions are never mixed in one request")
    func functions() throws {
        let plan = try ReadPlanner.plan([span(0, 2, .holding), span(2, 2, .input), span(2, 2, .holding)], limits: .init())
        #expect(plan == [span(2, 2, .input), span(0, 4, .holding)])
    }

    @Test("overlapping and duplicate spans are covered once")
    func overlap() throws {
        let plan = try ReadPlanner.plan([span(0, 4), span(2, 2), span(0, 4), span(3, 4)], limits: .init(maxRegistersPerRequest: 10, maxGap: 0))
        #expect(plan == [span(0, 7)])
    }

    @Test("a value larger than the limit is an error naming it")
    func tooLarge() {
        #expect(throws: ReadPlanner.PlanError.spanTooLarge(span(10, 4), limit: 2)) {
            try ReadPlanner.plan([span(10, 4)], limits: .init(maxRegistersPerRequest: 2, maxGap: 0))
        }
    }

    @Test("every input span is contained in exactly one request")
    func coverage() throws {
        let spans = [span(0), span(52), span(70), span(72), span(74), span(342), span(6), span(8)]
        let plan = try ReadPlanner.plan(spans, limits: .init(maxRegistersPerRequest: 80, maxGap: 20))
        for item in spans { #expect(plan.filter { $0.contains(item) }.count == 1) }
        #expect(plan.count == 3)
    }

    @Test("registers a device refused are never read through")
    func excluded() throws {
        let limits = ReadPlanner.Limits(maxRegistersPerRequest: 80, maxGap: 20)
        let spans = [span(52), span(72), span(74)]
        #expect(try ReadPlanner.plan(spans, limits: limits) == [span(52, 24)])
        #expect(try ReadPlanner.plan(spans, limits: limits, excluding: [span(70)]) == [span(52), span(72, 4)])
        #expect(try ReadPlanner.plan(spans, limits: limits, excluding: [span(70, 2, .holding)]) == [span(52, 24)])
    }
}
