import Foundation
import MeterBus
import Testing
@testable import EdgeAgent

/// Drives one charger's machine on an injected time line, with a charge controller whose energy register counts.
struct ChargerDriver {
    var machine: ChargerSessionMachine
    var now = Date(timeIntervalSince1970: 1_800_000_000)
    var log: [ChargerCommand] = []
    var energyWh: Double = 5000
    var nextSession = 0

    init(policy: ChargerPolicy = ChargerPolicy(
        connectionTimeOut: 60, meterSampleInterval: 10, stopOnEVSideDisconnect: true, minCurrentAmps: 6,
        maxCurrentAmps: 16, phases: 3)) {
        machine = ChargerSessionMachine(connectorId: 13, charger: "wallbox-left", policy: policy)
    }

    @discardableResult
    mutating func send(_ input: ChargerInput, after seconds: TimeInterval = 0) -> [ChargerCommand] {
        now += seconds
        let out = machine.handle(input, at: now)
        log += out
        return out
    }

    @discardableResult
    mutating func pilot(_ state: ChargerPilotState?, after seconds: TimeInterval = 0, enabled: Bool? = nil) -> [ChargerCommand] {
        send(.reading(ChargerReading(at: now + seconds, pilot: state, energyWh: energyWh, powerWatts: 0, enabled: enabled)),
             after: seconds)
    }

    @discardableResult
    mutating func card(_ idTag: String, accepted: Bool = true, parent: String? = nil,
                       method: SessionAuthorizationMethod = .rfid) -> [ChargerCommand] {
        nextSession += 1
        let outcome = AuthorizationOutcome(status: accepted ? .accepted : .invalid, parentIdTag: parent, source: .localList)
        return send(.authorized(idTag: idTag, outcome: outcome, method: method, sessionId: "c\(nextSession)"))
    }

    /// Plugged in, card accepted: the transaction runs.
    mutating func startCharging(idTag: String = "CARD1", parent: String? = nil) {
        pilot(.a)
        pilot(.b, after: 2)
        card(idTag, parent: parent)
        pilot(.c, after: 1)
    }
}

extension [ChargerCommand] {
    var starts: [Int] { compactMap { if case let .startTransaction(_, _, meterStart, _) = $0 { meterStart } else { nil } } }
    var stops: [(reason: SessionStopReason, meterStop: Int)] {
        compactMap { if case let .stopTransaction(_, meterStop, reason, _, _) = $0 { (reason, meterStop) } else { nil } }
    }
    var enables: [Bool] { compactMap { if case .enable(let on) = $0 { on } else { nil } } }
    var currents: [Double] { compactMap { if case .setCurrent(let amps) = $0 { amps } else { nil } } }
    var demands: [ChargerDemand?] { compactMap { if case .demand(let demand) = $0 { .some(demand) } else { nil } } }
    var persisted: [SessionRecord] { compactMap { if case .persist(let record) = $0 { record } else { nil } } }
    var feedback: [DriverFeedback] { compactMap { if case .feedback(let feedback) = $0 { feedback } else { nil } } }
    var faults: [ChargerFault] { compactMap { if case .fault(let fault) = $0 { fault } else { nil } } }
    var meterValues: [Double] { compactMap { if case let .meterValues(_, reading) = $0 { reading.energyWh } else { nil } } }
}

@Suite("Charger session machine")
struct ChargerSessionMachineTests {
    @Test("the pilot state register reads as the ASCII letter in its low byte")
    func pilotRegister() {
        #expect(ChargerPilotState(register: 65) == .a)
        #expect(ChargerPilotState(register: 67) == .c)
        #expect(ChargerPilotState(register: 0x0142) == .b)
        #expect(ChargerPilotState(register: 70) == .f)
        #expect(ChargerPilotState(register: 0) == nil)
        #expect(ChargerPilotState(register: 71) == nil)
        #expect(ChargerPilotState(register: .nan) == nil)
        #expect(ChargerPilotState.d.register == 68)
        #expect(ChargerPilotState.c.isCharging && ChargerPilotState.b.isPlugged && !ChargerPilotState.a.isPlugged)
    }

    @Test("balancing's setpoint is clamped to the charger's range; below the minimum is a pause")
    func allowedCurrent() {
        let policy = ChargerPolicy(minCurrentAmps: 6, maxCurrentAmps: 16)
        func setpoint(_ amps: Double, allowed: Bool = true) -> BalancingSetpoint {
            BalancingSetpoint(connectorId: 13, allowed: allowed, currentAmps: amps, reason: "test", decidedAt: Date())
        }
        #expect(policy.allowedCurrent(nil) == 16)
        #expect(policy.allowedCurrent(setpoint(10)) == 10)
        #expect(policy.allowedCurrent(setpoint(32)) == 16)
        #expect(policy.allowedCurrent(setpoint(6)) == 6)
        #expect(policy.allowedCurrent(setpoint(5.9)) == nil)
        #expect(policy.allowedCurrent(setpoint(10, allowed: false)) == nil)
        #expect(policy.allowedCurrent(setpoint(10.7)) == 10)
    }

    @Test("a free charger is switched off at the start and stays Available until a car is plugged in")
    func idle() {
        var driver = ChargerDriver()
        let first = driver.send(.tick)
        #expect(first.enables == [false])
        #expect(first.demands == [nil])
        driver.pilot(.a)
        #expect(driver.machine.status == .available)
        #expect(driver.machine.plugged == false)
        driver.pilot(.b, after: 1)
        #expect(driver.machine.status == .preparing)
        #expect(driver.log.starts.isEmpty && driver.log.enables == [false])
    }

    @Test("plug in, card: setpoint written before enable, StartTransaction with the register, Charging")
    func plugThenCard() {
        var driver = ChargerDriver()
        driver.pilot(.a)
        driver.pilot(.b, after: 2)
        let out = driver.card("CARD1")
        #expect(out.starts == [5000])
        #expect(out.currents == [16])
        #expect(out.enables == [true])
        let setIndex = out.firstIndex { if case .setCurrent = $0 { true } else { false } }
        let enableIndex = out.firstIndex { if case .enable = $0 { true } else { false } }
        let startIndex = out.firstIndex { if case .startTransaction = $0 { true } else { false } }
        #expect(setIndex! < enableIndex! && out.firstIndex { if case .persist = $0 { true } else { false } }! < startIndex!)
        #expect(out.demands.count == 1 && out.demands[0]?.connectorId == 13)
        #expect(out.feedback == [.charging])
        let record = try! #require(driver.machine.session)
        #expect(record.compartment == "wallbox-left" && record.connectorId == 13 && record.state == .charging)
        #expect(record.authorizationMethod == .rfid && record.meterStartWh == 5000 && record.relayOn)
        // Enabled, the car does not draw yet: SuspendedEV; it draws: Charging.
        #expect(driver.machine.status == .suspendedEV)
        driver.pilot(.c, after: 1)
        #expect(driver.machine.status == .charging)
    }

    @Test("a rejected card starts nothing")
    func rejectedCard() {
        var driver = ChargerDriver()
        driver.pilot(.b)
        let out = driver.card("BAD", accepted: false)
        #expect(out.feedback == [.rejected] && out.starts.isEmpty && out.enables.allSatisfy { !$0 })
        #expect(driver.machine.session == nil && driver.machine.status == .preparing)
    }

    @Test("card first: the session waits for the car, starts when it is plugged in, expires after ConnectionTimeOut")
    func cardBeforeCar() {
        var driver = ChargerDriver()
        driver.pilot(.a)
        let waiting = driver.card("CARD1", method: .remote)
        #expect(waiting.starts.isEmpty && waiting.persisted.first?.state == .locking)
        #expect(driver.machine.status == .preparing)
        let plugged = driver.pilot(.b, after: 20)
        #expect(plugged.starts == [5000] && plugged.enables == [true])
        #expect(driver.machine.session?.authorizationMethod == .remote)

        var late = ChargerDriver()
        late.pilot(.a)
        late.card("CARD1")
        late.send(.tick, after: 59)
        #expect(late.machine.openSession != nil)
        let expired = late.send(.tick, after: 1)
        #expect(expired.persisted.last?.state == .closed && expired.starts.isEmpty)
        #expect(late.machine.status == .available && late.machine.session == nil)
        #expect(late.pilot(.b, after: 1).starts.isEmpty)
    }

    @Test("ConnectionTimeOut: a plugged car nobody authorizes goes back to Available; a card still starts it")
    func connectionTimeOut() {
        var driver = ChargerDriver()
        driver.pilot(.a)
        driver.pilot(.b)
        driver.send(.tick, after: 59)
        #expect(driver.machine.status == .preparing)
        driver.send(.tick, after: 1)
        #expect(driver.machine.status == .available)
        #expect(driver.card("CARD1").starts == [5000])
    }

    @Test("unplugging stops the transaction with EVDisconnected and the meter's last register")
    func unplugStops() {
        var driver = ChargerDriver()
        driver.startCharging()
        driver.energyWh = 5150
        driver.pilot(.c, after: 60)
        let out = driver.pilot(.a, after: 1)
        #expect(out.stops.map(\.reason) == [.evDisconnected])
        #expect(out.stops.first?.meterStop == 5150)
        #expect(out.enables == [false] && out.demands == [nil])
        #expect(out.persisted.last?.state == .closed && out.persisted.last?.stopReason == .evDisconnected)
        #expect(driver.machine.status == .available && driver.machine.session == nil)
    }

    @Test("the charger's tariff prices the ended session: start fee, energy and started periods")
    func endedSessionIsPriced() {
        let tariff = Tariff(
            name: "wallbox", currency: "EUR", startFee: Decimal(string: "1.00")!, pricePerKWh: Decimal(string: "0.40")!,
            pricePerPeriod: Decimal(string: "0.10")!, periodSeconds: 3600)
        var driver = ChargerDriver(policy: ChargerPolicy(
            connectionTimeOut: 60, meterSampleInterval: 10, minCurrentAmps: 6, maxCurrentAmps: 16, phases: 3,
            tariff: tariff))
        driver.startCharging()
        driver.energyWh = 7500  // 2.5 kWh in half an hour: 5 kW, plausible
        driver.pilot(.c, after: 1800)
        let ended = driver.pilot(.a, after: 1).persisted.last
        // 1.00 start + 2.5 kWh x 0.40 + one started hour x 0.10
        #expect(ended?.amount == Decimal(string: "2.10")!)
        #expect(ended?.currency == "EUR" && ended?.tariffName == "wallbox")
    }

    @Test("StopTransactionOnEVSideDisconnect false: unplugging suspends; re-plugging resumes; the owner ends it")
    func unplugSuspends() {
        var driver = ChargerDriver(policy: ChargerPolicy(
            connectionTimeOut: 60, meterSampleInterval: 0, stopOnEVSideDisconnect: false, minCurrentAmps: 6,
            maxCurrentAmps: 16, phases: 3))
        driver.startCharging()
        let unplugged = driver.pilot(.a, after: 10)
        #expect(unplugged.stops.isEmpty && unplugged.enables == [false])
        #expect(driver.machine.status == .suspendedEV && driver.machine.openSession != nil)
        let replugged = driver.pilot(.b, after: 10)
        #expect(replugged.enables == [true] && replugged.starts.isEmpty)
        driver.pilot(.a, after: 10)
        let ended = driver.send(.stopWithCard(idTag: "CARD1", parentIdTag: nil))
        #expect(ended.stops.map(\.reason) == [.local])
        #expect(driver.machine.status == .available && ended.persisted.last?.state == .closed)
    }

    @Test("the owner's card or its group ends the session (Finishing until unplugged); another card cannot")
    func ownerEnds() {
        var driver = ChargerDriver()
        driver.startCharging(parent: "FAMILY")
        let stranger = driver.send(.stopWithCard(idTag: "OTHER", parentIdTag: "NEIGHBOURS"))
        #expect(stranger.feedback == [.notOwner] && stranger.stops.isEmpty && driver.machine.status == .charging)
        let group = driver.send(.stopWithCard(idTag: "SPOUSE", parentIdTag: "family"))
        #expect(group.stops.map(\.reason) == [.local] && group.enables == [false])
        #expect(driver.machine.status == .finishing && group.persisted.last?.state == .finishing)
        // A new card while the old car is still plugged in starts nothing.
        #expect(driver.card("CARD2").starts.isEmpty)
        let unplugged = driver.pilot(.a, after: 5)
        #expect(unplugged.persisted.last?.state == .closed && unplugged.stops.isEmpty)
        #expect(driver.machine.status == .available)
    }

    @Test("remote stop ends the transaction with reason Remote")
    func remoteStop() {
        var driver = ChargerDriver()
        driver.startCharging()
        let out = driver.send(.stop(reason: .remote), after: 3)
        #expect(out.stops.map(\.reason) == [.remote] && driver.machine.status == .finishing)
        #expect(driver.send(.stop(reason: .remote)).stops.isEmpty)
    }

    @Test("balancing below the minimum pauses the charger (SuspendedEVSE); more current resumes it")
    func balancingPause() {
        var driver = ChargerDriver()
        driver.startCharging()
        let lowered = driver.send(.balancing(BalancingSetpoint(
            connectorId: 13, allowed: true, currentAmps: 10, reason: "share", decidedAt: driver.now)))
        #expect(lowered.currents == [10] && lowered.enables.isEmpty)
        let paused = driver.send(.balancing(BalancingSetpoint(
            connectorId: 13, allowed: true, currentAmps: 4, reason: "share", decidedAt: driver.now)))
        #expect(paused.enables == [false] && paused.currents.isEmpty)
        #expect(driver.machine.status == .suspendedEVSE)
        #expect(driver.machine.session?.relayOn == false)
        let resumed = driver.send(.balancing(nil))
        #expect(resumed.currents == [16] && resumed.enables == [true])
        #expect(driver.machine.status == .charging)
    }

    @Test("MeterValues at the sample interval; implausible readings are never sent")
    func meterValues() {
        var driver = ChargerDriver()
        driver.startCharging()
        driver.energyWh = 5010
        #expect(driver.pilot(.c, after: 5).meterValues.isEmpty)
        driver.energyWh = 5020
        #expect(driver.pilot(.c, after: 6).meterValues == [5020])
        // Twice 16 A x 3 x 253 V cannot give 100 kWh in 10 s.
        driver.energyWh = 105_000
        #expect(driver.pilot(.c, after: 10).meterValues.isEmpty)
        #expect(driver.machine.session?.lastMeterWh == 5020)
        driver.energyWh = 5060
        #expect(driver.pilot(.c, after: 10).meterValues == [5060])
        // The bound: 2 x 16 A x 3 x 253 V = 24288 W, i.e. 75 Wh in 10 s with the tolerance; 80 Wh is too much.
        #expect(driver.machine.policy.maxPowerWatts == 24288)
        driver.energyWh = 5140
        #expect(driver.pilot(.c, after: 10).meterValues.isEmpty)
        #expect(driver.pilot(.c, after: 10).meterValues == [5140])
        #expect((driver.machine.session?.chargingSeconds ?? 0) > 0)
    }

    @Test("pilot error E/F: Faulted with its vendorErrorCode, charging off; it clears when the state is good again")
    func pilotFault() {
        var driver = ChargerDriver()
        driver.startCharging()
        let fault = driver.pilot(.f, after: 1)
        #expect(fault.faults == [.pilotStateF] && fault.enables == [false] && fault.demands == [nil])
        #expect(driver.machine.status == .faulted && driver.machine.fault?.vendorErrorCode == "CHARGER_PILOT_F")
        #expect(driver.machine.openSession != nil && fault.stops.isEmpty)
        let back = driver.pilot(.c, after: 5)
        #expect(back.enables == [true] && driver.machine.status == .charging)
        #expect(ChargerFault.pilotStateE.errorCode == .evCommunicationError)
    }

    @Test("a charger that does not answer is Faulted (CHARGER_NOT_ANSWERING); its transaction waits for it")
    func notAnswering() {
        var driver = ChargerDriver()
        driver.startCharging()
        let silent = driver.send(.notAnswering, after: 20)
        #expect(silent.faults == [.notAnswering] && silent.stops.isEmpty && silent.demands == [nil])
        #expect(silent.enables.isEmpty)  // nothing can be written to it
        #expect(driver.machine.status == .faulted && driver.machine.fault?.vendorErrorCode == "CHARGER_NOT_ANSWERING")
        #expect(driver.send(.notAnswering, after: 1).faults.isEmpty)
        let back = driver.pilot(.c, after: 5, enabled: true)
        #expect(driver.machine.status == .charging && back.demands.count == 1)
    }

    @Test("a state register without a state letter is a fault")
    func unknownState() {
        var driver = ChargerDriver()
        let out = driver.pilot(nil)
        #expect(out.faults == [.unknownState] && driver.machine.status == .faulted)
        driver.pilot(.a, after: 1)
        #expect(driver.machine.status == .available)
    }

    @Test("a failed write is Faulted and written again at the next reading; success clears it")
    func writeFailure() {
        var driver = ChargerDriver()
        driver.startCharging()
        let failed = driver.send(.writeResult(failure: "current-setpoint = 16: timeout"))
        #expect(failed.faults == [.setpointNotAccepted] && driver.machine.status == .faulted)
        let retried = driver.pilot(.c, after: 5)
        #expect(retried.currents == [16] && retried.enables == [true])
        driver.send(.writeResult(failure: nil))
        #expect(driver.machine.status == .charging)
    }

    @Test("a charger that reads back another enable state than commanded is written again")
    func readBackCorrects() {
        var driver = ChargerDriver()
        driver.startCharging()
        let reset = driver.pilot(.b, after: 10, enabled: false)
        #expect(reset.enables == [true] && reset.currents == [16])
    }

    @Test("the central system refusing the idTag stops the transaction with DeAuthorized")
    func deauthorized() {
        var driver = ChargerDriver()
        driver.startCharging()
        #expect(driver.send(.deauthorized(sessionId: "other")).stops.isEmpty)
        let out = driver.send(.deauthorized(sessionId: "c1"))
        #expect(out.stops.map(\.reason) == [.deAuthorized] && out.enables == [false])
    }

    @Test("restart: a running transaction continues when the car is still plugged in")
    func restoreContinues() {
        var driver = ChargerDriver()
        driver.startCharging()
        var record = try! #require(driver.machine.session)
        record.localTransactionId = "local-1"
        let (restored, commands) = ChargerSessionMachine.restore(
            connectorId: 13, charger: "wallbox-left", policy: driver.machine.policy, stored: record, at: driver.now + 30)
        #expect(commands.isEmpty)
        var machine = restored
        // No output decision before the first reading says whether the car is still there.
        #expect(machine.handle(.tick, at: driver.now + 31).enables.isEmpty)
        let out = machine.handle(.reading(ChargerReading(at: driver.now + 32, pilot: .c, energyWh: 5100)), at: driver.now + 32)
        #expect(out.stops.isEmpty && out.enables == [true] && out.currents == [16])
        #expect(machine.status == .charging && machine.openSession?.id == record.id)
    }

    @Test("restart with stopAndRestart: PowerLoss (or Reboot) stops the transaction, a new one starts for the owner",
          arguments: [(false, SessionStopReason.powerLoss), (true, SessionStopReason.reboot)])
    func restoreStopsAndRestarts(cleanStop: Bool, reason: SessionStopReason) {
        var driver = ChargerDriver()
        driver.startCharging()
        driver.energyWh = 5200
        driver.pilot(.c, after: 60)
        var record = try! #require(driver.machine.session)
        record.localTransactionId = "local-1"
        let (restored, commands) = ChargerSessionMachine.restore(
            connectorId: 13, charger: "wallbox-left", policy: driver.machine.policy, stored: record, at: driver.now + 30,
            transactions: .stopAndRestart, previousRunWasClean: cleanStop, newSessionId: "after-restart")
        #expect(commands.stops.map(\.reason) == [reason] && commands.stops.first?.meterStop == 5200)
        #expect(commands.starts.isEmpty)
        #expect(commands.persisted.first { $0.id == record.id }?.state == .closed)
        var machine = restored
        #expect(machine.openSession?.id == "after-restart" && machine.openSession?.idTag == record.idTag)
        let out = machine.handle(.reading(ChargerReading(at: driver.now + 32, pilot: .c, energyWh: 5210)), at: driver.now + 32)
        #expect(out.starts == [5210] && out.enables == [true] && out.stops.isEmpty)
        #expect(machine.status == .charging)
    }

    @Test("restart: a transaction whose car was unplugged meanwhile is stopped with EVDisconnected")
    func restoreUnplugged() {
        var driver = ChargerDriver()
        driver.startCharging()
        let record = try! #require(driver.machine.session)
        let (restored, commands) = ChargerSessionMachine.restore(
            connectorId: 13, charger: "wallbox-left", policy: driver.machine.policy, stored: record, at: driver.now)
        #expect(commands.starts == [5000])  // never queued before the crash: asked for again
        var machine = restored
        let out = machine.handle(.reading(ChargerReading(at: driver.now + 5, pilot: .a, energyWh: 5000)), at: driver.now + 5)
        #expect(out.stops.map(\.reason) == [.evDisconnected] && machine.status == .available)
    }

    @Test("restart: a finishing session's StopTransaction that was never queued is asked for again")
    func restoreFinishing() {
        var driver = ChargerDriver()
        driver.startCharging()
        driver.send(.stop(reason: .remote))
        var record = try! #require(driver.machine.session)
        record.localTransactionId = "local-1"
        let (_, commands) = ChargerSessionMachine.restore(
            connectorId: 13, charger: "wallbox-left", policy: driver.machine.policy, stored: record, at: driver.now)
        #expect(commands.stops.map(\.reason) == [.remote])
        record.stopTransactionQueued = true
        let (_, none) = ChargerSessionMachine.restore(
            connectorId: 13, charger: "wallbox-left", policy: driver.machine.policy, stored: record, at: driver.now)
        #expect(none.isEmpty)
    }
}

@Suite("Charger session machine: availability")
struct ChargerAvailabilityTests {
    @Test("an inoperative charger shows Unavailable and takes no session; a running one goes on until it ends")
    func inoperative() {
        var driver = ChargerDriver()
        driver.pilot(.a)
        driver.send(.availability(operative: false))
        #expect(driver.machine.status == .unavailable)
        driver.pilot(.b, after: 1)
        let refused = driver.card("CARD1")
        #expect(refused.starts.isEmpty && refused.feedback == [.rejected] && driver.machine.status == .unavailable)
        driver.send(.availability(operative: true))
        #expect(driver.machine.status == .preparing)
        #expect(driver.card("CARD1").starts.count == 1)
        driver.send(.availability(operative: false))
        #expect(driver.machine.status == .suspendedEV && driver.machine.openSession != nil)
        driver.send(.stop(reason: .remote))
        #expect(driver.machine.status == .finishing)
        driver.pilot(.a, after: 1)
        #expect(driver.machine.status == .unavailable)
    }
}

@Suite("Charger readings and the simulated car")
struct ChargerReadingTests {
    @Test("a charge controller's profile values become a reading: state letter, enable, setpoint, energy in Wh")
    func fromMeterStatus() {
        let device = MeteredDevice(role: .charger, name: "wallbox-left", connectorId: 13, bus: "sim-modbus", unit: 1,
                                   profile: "phoenix-ev-charge-control")
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let status = MeterStatus(device: device, values: [
            MeterValue(name: "charging-state", value: 67, unit: ""),
            MeterValue(name: "charging-enabled", value: 1, unit: ""),
            MeterValue(name: "current-setpoint", value: 16, unit: "A", measurand: .currentOffered),
            MeterValue(name: "energy", value: 12.5, unit: "kWh", measurand: .energyActiveImportRegister),
            MeterValue(name: "current-l1", value: 16, unit: "A", measurand: .currentImport, phase: .l1),
            MeterValue(name: "power", value: nil, unit: "W", measurand: .powerActiveImport),
        ], time: at, ageSeconds: 0, stale: false, lastError: nil)
        let reading = ChargerReading(status: status, at: at)
        #expect(reading == ChargerReading(at: at, pilot: .c, energyWh: 12_500, powerWatts: nil, enabled: true, setpointAmps: 16))
    }

    @Test("the simulated car: A unplugged, B plugged and not enabled or not drawing, C drawing up to its limit")
    func simulatedCar() {
        var car = SimulatedCar()
        #expect(car.pilot(enabled: true) == .a && car.amps(enabled: true, setpointAmps: 16) == 0)
        car.plugged = true
        #expect(car.pilot(enabled: false) == .b && car.amps(enabled: false, setpointAmps: 16) == 0)
        #expect(car.pilot(enabled: true) == .c && car.amps(enabled: true, setpointAmps: 16) == 16)
        car.maxCurrentAmps = 10
        #expect(car.amps(enabled: true, setpointAmps: 16) == 10 && car.amps(enabled: true, setpointAmps: 8) == 8)
        car.drawing = false
        #expect(car.pilot(enabled: true) == .b && car.amps(enabled: true, setpointAmps: 16) == 0)
    }
}
