import Testing
@testable import OCPP

/// A hand-driven instant: tests move time explicitly.
struct TestInstant: InstantProtocol {
    var sinceStart: Duration
    static let start = TestInstant(sinceStart: .zero)
    func advanced(by duration: Duration) -> TestInstant { TestInstant(sinceStart: sinceStart + duration) }
    func duration(to other: TestInstant) -> Duration { other.sinceStart - sinceStart }
    static func < (lhs: TestInstant, rhs: TestInstant) -> Bool { lhs.sinceStart < rhs.sinceStart }
}

@Suite("Call tracker")
struct CallTrackerTests {
    let t0 = TestInstant.start
    var tracker = CallTracker<TestInstant>(responseTimeout: .seconds(30))

    func sent(_ effects: [CallTrackerEffect]) -> [String] {
        effects.compactMap { if case .send(let call) = $0 { call.id } else { nil } }
    }

    func completion(_ effects: [CallTrackerEffect]) -> (OutgoingCall, Result<any OCPPPayload, CallFailure>)? {
        for effect in effects { if case .completed(let call, let result) = effect { return (call, result) } }
        return nil
    }

    func message(_ text: String) throws -> IncomingMessage { try RPCFrame.decode(text).get() }

    @Test("one outstanding call at a time; the next goes when the first is answered")
    mutating func serializesCalls() throws {
        let heartbeat = try OutgoingCall(HeartbeatRequest(), id: "a")
        let status = try OutgoingCall(StatusNotificationRequest(connectorId: 1, errorCode: .noError, status: .available), id: "b")
        #expect(sent(tracker.submit(heartbeat, now: t0)) == ["a"])
        #expect(sent(tracker.submit(status, now: t0)).isEmpty)
        #expect(tracker.waiting == [status])

        let effects = tracker.receive(try message(#"[3,"a",{"currentTime":"2026-11-23T10:00:00Z"}]"#), now: t0.advanced(by: .seconds(1)))
        let (call, result) = try #require(completion(effects))
        #expect(call.id == "a")
        let confirmation = try #require(try result.get() as? HeartbeatConfirmation)
        #expect(confirmation.currentTime == OCPPDate.date(from: "2026-11-23T10:00:00Z"))
        #expect(sent(effects) == ["b"])
        #expect(tracker.outstanding?.call == status)
        #expect(tracker.nextDeadline == t0.advanced(by: .seconds(31)))
    }

    @Test("a result with another id does not complete our call")
    mutating func unmatchedResult() throws {
        _ = tracker.submit(try OutgoingCall(HeartbeatRequest(), id: "a"), now: t0)
        let effects = tracker.receive(try message(#"[3,"zzz",{}]"#), now: t0)
        guard case .unmatched(let id) = try #require(effects.first) else { Issue.record("expected unmatched"); return }
        #expect(id == "zzz")
        #expect(tracker.outstanding?.call.id == "a")
    }

    @Test("a CALLERROR for our call surfaces as a typed failure")
    mutating func callError() throws {
        _ = tracker.submit(try OutgoingCall(AuthorizeRequest(idTag: "04E91C5A"), id: "a"), now: t0)
        let effects = tracker.receive(try message(#"[4,"a","InternalError","database down",{}]"#), now: t0)
        let (_, result) = try #require(completion(effects))
        guard case .failure(.callError(let error)) = result else { Issue.record("expected callError, got \(result)"); return }
        #expect(error.code == .internalError)
        #expect(error.errorDescription == "database down")
        #expect(tracker.outstanding == nil)
    }

    @Test("a confirmation that breaks the schema fails the call")
    mutating func invalidConfirmation() throws {
        _ = tracker.submit(try OutgoingCall(AuthorizeRequest(idTag: "04E91C5A"), id: "a"), now: t0)
        let effects = tracker.receive(try message(#"[3,"a",{"idTagInfo":{"status":"Maybe"}}]"#), now: t0)
        let (_, result) = try #require(completion(effects))
        guard case .failure(.invalidConfirmation(let violation)) = result else { Issue.record("got \(result)"); return }
        #expect(violation.code == .propertyConstraintViolation)
        #expect(violation.path == "idTagInfo.status")
    }

    @Test("no answer within the timeout fails the call, and a late answer is unmatched")
    mutating func timeout() throws {
        _ = tracker.submit(try OutgoingCall(HeartbeatRequest(), id: "a"), now: t0)
        _ = tracker.submit(try OutgoingCall(HeartbeatRequest(), id: "b"), now: t0)
        #expect(tracker.checkTimeout(now: t0.advanced(by: .seconds(29))).isEmpty)
        let effects = tracker.checkTimeout(now: t0.advanced(by: .seconds(30)))
        let (call, result) = try #require(completion(effects))
        #expect(call.id == "a")
        guard case .failure(.timedOut) = result else { Issue.record("got \(result)"); return }
        #expect(sent(effects) == ["b"])
        let late = tracker.receive(try message(#"[3,"a",{"currentTime":"2026-11-23T10:00:00Z"}]"#), now: t0.advanced(by: .seconds(31)))
        guard case .unmatched(let id) = try #require(late.first) else { Issue.record("expected unmatched"); return }
        #expect(id == "a")
        #expect(tracker.outstanding?.call.id == "b")
    }

    @Test("the central system's calls are answered independently while ours is outstanding")
    mutating func incomingCallsWhileOutstanding() throws {
        _ = tracker.submit(try OutgoingCall(HeartbeatRequest(), id: "same-id"), now: t0)
        // Ids are per direction: a CALL with our id is still their CALL, not an answer.
        let effects = tracker.receive(try message(#"[2,"same-id","Reset",{"type":"Soft"}]"#), now: t0)
        guard case .answer(let call) = try #require(effects.first) else { Issue.record("expected answer"); return }
        #expect(call.request == .reset(ResetRequest(type: .soft)))
        #expect(effects.count == 1)
        #expect(tracker.outstanding?.call.id == "same-id")
    }

    @Test("losing the connection fails the outstanding and the waiting calls")
    mutating func connectionLost() throws {
        _ = tracker.submit(try OutgoingCall(HeartbeatRequest(), id: "a"), now: t0)
        _ = tracker.submit(try OutgoingCall(HeartbeatRequest(), id: "b"), now: t0)
        let effects = tracker.connectionLost()
        let failed = effects.compactMap { effect -> String? in
            if case .completed(let call, .failure(.connectionLost)) = effect { call.id } else { nil }
        }
        #expect(failed == ["a", "b"])
        #expect(tracker.outstanding == nil && tracker.waiting.isEmpty)
        #expect(tracker.nextDeadline == nil)
    }

    @Test("works with the real monotonic clock's instants")
    func continuousClock() throws {
        let start = ContinuousClock.Instant.now
        var real = CallTracker<ContinuousClock.Instant>(responseTimeout: .seconds(30))
        _ = real.submit(try OutgoingCall(HeartbeatRequest(), id: "a"), now: start)
        #expect(real.nextDeadline == start.advanced(by: .seconds(30)))
        #expect(real.checkTimeout(now: start.advanced(by: .seconds(30))).count == 1)
    }
}
