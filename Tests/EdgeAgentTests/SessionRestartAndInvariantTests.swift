import Foundation
import Testing
@testable import EdgeAgent
import SeededRandom

@Suite("Session machine: restarts and invariants")
struct SessionRestartAndInvariantTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let locked = DoorLockReading(doorClosed: true, locked: true)

    func chargingRecord(relayOn: Bool = true, localTransactionId: String? = "tx-1") -> SessionRecord {
        var record = SessionRecord(
            id: "s1", connectorId: 1, compartment: "A1", idTag: "CARD1", parentIdTag: nil, authorizationMethod: .rfid,
            authorizationSource: "localList", authorizedAt: now - 600, occupiedSince: now - 610)
        record.state = .charging
        record.relayOn = relayOn
        record.chargingStartedAt = now - 590
        record.meterStartWh = 1000
        record.lastMeterWh = 1040
        record.lastMeterAt = now - 30
        record.localTransactionId = localTransactionId
        return record
    }

    func restore(_ record: SessionRecord?, reading: DoorLockReading, policy: RestartTransactionPolicy = .resume, clean: Bool = false)
        -> (CompartmentSessionMachine, [SessionCommand])
    {
        CompartmentSessionMachine.restore(
            connectorId: 1, compartment: "A1", policy: SessionPolicy(maxPowerWatts: 500), stored: record, reading: reading,
            latestMeter: nil, transactions: policy, previousRunWasClean: clean, newSessionId: "s2", at: now)
    }

    @Test func aLockedChargingSessionContinuesWithItsSocketOnAndNothingSentTwice() {
        let (machine, out) = restore(chargingRecord(), reading: locked)
        #expect(machine.status == .charging)
        #expect(out.relays == [true] && out.unlocks.isEmpty && out.starts == 0 && out.stops.isEmpty)
    }

    @Test func aRestartNeverUnlocksAndAnOpenDoorKeepsTheSocketOff() {
        let (machine, out) = restore(chargingRecord(), reading: DoorLockReading(doorClosed: false, locked: false))
        #expect(out.unlocks.isEmpty && out.relays == [false])
        #expect(machine.openSession?.state == .suspendedByLocker)
        #expect(out.persisted.last?.relayOn == false)
    }

    @Test func aStartCutOffByTheCrashIsAskedForAgain() {
        let (_, out) = restore(chargingRecord(localTransactionId: nil), reading: locked)
        #expect(out.starts == 1)
    }

    @Test func stopAndRestartStopsWithPowerLossOrRebootAndStartsANewTransaction() {
        for (clean, reason) in [(false, SessionStopReason.powerLoss), (true, .reboot)] {
            let (machine, out) = restore(chargingRecord(), reading: locked, policy: .stopAndRestart, clean: clean)
            #expect(out.stops == [reason])
            #expect(out.starts == 1)
            #expect(out.persisted.first?.id == "s1" && out.persisted.first?.state == .closed)
            #expect(machine.openSession?.id == "s2" && machine.status == .charging)
            #expect(out.unlocks.isEmpty)
        }
    }

    @Test func aFinishingSessionWhoseStopWasNotQueuedQueuesItOnce() {
        var record = chargingRecord()
        record.state = .finishing
        record.relayOn = false
        record.stoppedAt = now - 5
        record.meterStopWh = 1040
        record.stopReason = .local
        let (machine, out) = restore(record, reading: DoorLockReading(doorClosed: true, locked: false))
        #expect(out.stops == [.local] && out.unlocks.isEmpty && out.relays == [false])
        #expect(machine.status == .finishing)
        record.stopTransactionQueued = true
        #expect(restore(record, reading: locked).1.stops.isEmpty)
    }

    @Test func anAuthorizedSessionWhoseLockWasNotConfirmedTriesTheLockAgain() {
        var record = chargingRecord(relayOn: false, localTransactionId: nil)
        record.state = .locking
        record.chargingStartedAt = nil
        let (machine, out) = restore(record, reading: DoorLockReading(doorClosed: true, locked: false))
        #expect(out.contains(.lock) && out.unlocks.isEmpty && !out.relays.contains(true))
        #expect(machine.status == .preparing)
    }

    /// Invariants 1 and 2 over many random event sequences: a lock is released only for the owner (after the
    /// owner's card) or for an unclaimed door with no session; the socket goes on only for an authorized session
    /// whose door reads closed and locked; and every effect is preceded by its commit.
    @Test(arguments: 0..<60)
    func invariantsHoldForRandomEventSequences(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var machine = CompartmentSessionMachine(
            connectorId: 1, compartment: "A1",
            policy: SessionPolicy(connectionTimeOut: 30, lockConfirmTimeout: 5, meterSampleInterval: 10, maxPowerWatts: 500,
                                  chargeCompleteBelowWatts: 3, chargeCompleteAfter: 20, maxOccupancy: 400, maxEnergyWh: 50))
        var time = now
        var energy = 1000.0
        var reading = DoorLockReading(doorClosed: true, locked: true)
        _ = machine.handle(.hardware(reading), at: time)
        let cards = ["CARD1", "CARD2", "CARD3"]
        for step in 0..<200 {
            time += Double(Int.random(in: 0...20, using: &random))
            let input: SessionInput
            switch Int.random(in: 0..<9, using: &random) {
            case 0, 1:
                let closed = Bool.random(using: &random)
                reading = DoorLockReading(doorClosed: closed, locked: closed && Bool.random(using: &random))
                input = .hardware(reading)
            case 2:
                let outcome = AuthorizationOutcome(
                    status: Bool.random(using: &random) ? .accepted : .blocked, parentIdTag: Bool.random(using: &random) ? "G" : nil,
                    source: .cache)
                input = .cardAuthorized(idTag: cards.randomElement(using: &random)!, outcome: outcome, method: .rfid, sessionId: "s\(step)")
            case 3:
                input = .stopWithCard(idTag: cards.randomElement(using: &random)!, parentIdTag: Bool.random(using: &random) ? "G" : nil)
            case 4:
                energy += Double.random(in: -1...20, using: &random)
                input = .meter(CompartmentMeterReading(at: time, energyWh: energy, powerWatts: Double.random(in: 0...400, using: &random)))
            case 5:
                input = Int.random(in: 0..<10, using: &random) == 0 ? .emergency : .forcedOpen
            case 6:
                input = .operatorUnlocked
            default:
                input = .tick
            }
            let before = machine
            let out = machine.handle(input, at: time)
            var committed: SessionRecord?
            for command in out {
                switch command {
                case .persist(let record):
                    committed = record
                case .unlock(.owner):
                    guard case let .stopWithCard(idTag, parent) = input, let owner = before.openSession else {
                        Issue.record("seed \(seed) step \(step): owner unlock without the owner's card")
                        break
                    }
                    #expect(owner.isOwner(idTag: idTag, parentIdTag: parent), "seed \(seed) step \(step)")
                    #expect(committed?.state == .finishing, "seed \(seed) step \(step): unlock before commit")
                case .unlock(.unclaimed):
                    #expect(before.openSession == nil && machine.openSession == nil, "seed \(seed) step \(step)")
                case .unlock(.ownerAgain):
                    guard case let .stopWithCard(idTag, parent) = input, let ended = before.session, ended.state == .finishing else {
                        Issue.record("seed \(seed) step \(step): owner-again unlock without the ended session's owner's card")
                        break
                    }
                    #expect(ended.isOwner(idTag: idTag, parentIdTag: parent), "seed \(seed) step \(step)")
                case .unlock(.freed):
                    #expect(before.session?.state == .finishing && machine.session == nil, "seed \(seed) step \(step)")
                    #expect(committed?.state == .closed, "seed \(seed) step \(step): freed before the session closed")
                case .relay(on: true):
                    #expect(reading.doorClosed && reading.locked, "seed \(seed) step \(step): socket on with the door not locked")
                    #expect(committed?.relayOn == true && committed?.isOpen == true, "seed \(seed) step \(step): relay before commit")
                case .startTransaction, .stopTransaction:
                    #expect(committed != nil, "seed \(seed) step \(step): transaction message before commit")
                default:
                    break
                }
            }
            if let open = machine.openSession, open.relayOn {
                #expect(reading.doorClosed && reading.locked, "seed \(seed) step \(step): session says socket on, door not locked")
            }
        }
    }
}
