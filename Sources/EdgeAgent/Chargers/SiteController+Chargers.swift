import Foundation
import LockerIO
import MeterBus
import OCPP

/// What the site controller holds for its chargers (Chargers/). Lives inside the controller.
struct ChargerView: Sendable {
    /// One machine per charger, by connector id.
    var machines: [Int: ChargerSessionMachine] = [:]
    var uplink: OCPPUplink?
    var settings = SessionSettings()
    var running = false
    var tasks: [Task<Void, Never>] = []
    /// The reading time last fed to each charger's machine.
    var readingFedAt: [Int: Date] = [:]
    /// The effects of committed decisions, carried out in order by one task.
    var effects: AsyncStream<(Int, [ChargerCommand])>.Continuation?
    /// The last write failure per charger, for the status.
    var lastWriteError: [Int: String] = [:]
}

/// Sessions on Modbus-controlled chargers: each charger's `ChargerSessionMachine` is fed its charge
/// controller's readings (through MeteringService), cards at its reader, remote starts and stops, load
/// balancing's setpoint and time; its commands are carried out here (enable and current setpoint written
/// through the profile with read-back, transactions through the same uplink queue as compartments, records in
/// the same sessions table with the charger's name as the compartment).
extension SiteController {
    // MARK: Start-up

    /// Restores the stored charger sessions and starts following the chargers. Call after `startSessions`.
    public func startChargers(uplink: OCPPUplink?, settings: SessionSettings = SessionSettings()) async {
        guard !chargerView.running, !configuration.chargers.isEmpty else { return }
        chargerView.uplink = uplink
        chargerView.settings = settings
        let stored: [SessionRecord]
        do {
            stored = try store.unclosedSessions()
        } catch {
            logger.critical("stored sessions unreadable; chargers start without their sessions", metadata: ["error": "\(error)"])
            stored = []
        }
        let (effects, effectsInput) = AsyncStream.makeStream(of: (Int, [ChargerCommand]).self)
        chargerView.effects = effectsInput
        chargerView.running = true
        let now = await sessionClock()
        for charger in configuration.chargers {
            let record = stored.last { $0.connectorId == charger.connectorId && $0.compartment == charger.name }
            let (machine, commands) = ChargerSessionMachine.restore(
                connectorId: charger.connectorId, charger: charger.name, policy: await chargerPolicy(charger),
                stored: record, at: now, transactions: settings.restartTransactions,
                previousRunWasClean: !runStart.previousEndedUncleanly)
            chargerView.machines[charger.connectorId] = machine
            if let record {
                logger.notice("charger session restored; it goes on if the car is still plugged in", metadata: [
                    "charger": "\(charger.name)", "session": "\(record.id)", "state": "\(record.state.rawValue)",
                ])
            }
            effectsInput.yield((charger.connectorId, commitChargerRecords(commands, connectorId: charger.connectorId)))
        }
        chargerView.tasks.append(Task { [weak self] in
            for await (connectorId, commands) in effects { await self?.applyCharger(commands, connectorId: connectorId) }
        })
        let interval = settings.tickInterval
        chargerView.tasks.append(Task { [weak self] in
            while !Task.isCancelled {
                await self?.chargerTick()
                try? await Task.sleep(for: interval)
            }
        })
    }

    /// Stops following the chargers (shutdown). Sessions stay stored and continue after the next start.
    func stopChargers() {
        chargerView.effects?.finish()
        for task in chargerView.tasks { task.cancel() }
        chargerView.tasks = []
        chargerView.running = false
    }

    // MARK: Inputs

    /// Hands one input to a charger's machine at once (inputs keep their order), commits its records, publishes
    /// a changed status, and queues the effects for the one task that carries them out.
    func feedCharger(_ connectorId: Int, _ input: ChargerInput) {
        guard chargerView.running, var machine = chargerView.machines[connectorId] else { return }
        let before = (machine.status, machine.fault)
        let commands = machine.handle(input, at: sessionNow())
        chargerView.machines[connectorId] = machine
        if before != (machine.status, machine.fault) {
            connectorStatusBroadcaster.publish(ConnectorStatus(
                connectorId: connectorId, status: ChargePointStatus(rawValue: machine.status.rawValue) ?? .unavailable,
                fault: machine.fault?.rawValue))
        }
        guard !commands.isEmpty else { return }
        chargerView.effects?.yield((connectorId, commitChargerRecords(commands, connectorId: connectorId)))
    }

    /// Commits every record in order; nothing after a record that cannot be committed is carried out.
    func commitChargerRecords(_ commands: [ChargerCommand], connectorId: Int) -> [ChargerCommand] {
        var effects: [ChargerCommand] = []
        for command in commands {
            guard case .persist(let record) = command else {
                effects.append(command)
                continue
            }
            do {
                try store.saveSession(record)
            } catch {
                logger.critical("charger session not committed; its effects are not carried out", metadata: [
                    "connectorId": "\(connectorId)", "session": "\(record.id)", "error": "\(error)",
                ])
                break
            }
        }
        return effects
    }

    /// Readings, load balancing's setpoint and time for every charger.
    func chargerTick() async {
        guard chargerView.running else { return }
        for charger in configuration.chargers {
            let id = charger.connectorId
            guard var machine = chargerView.machines[id] else { continue }
            machine.policy = await chargerPolicy(charger)
            chargerView.machines[id] = machine
            if let status = await metering?.status(role: .charger, name: charger.name) {
                if status.stale {
                    feedCharger(id, .notAnswering)
                } else if let time = status.time, time > (chargerView.readingFedAt[id] ?? .distantPast) {
                    chargerView.readingFedAt[id] = time
                    feedCharger(id, .reading(ChargerReading(status: status, at: time)))
                }
            }
            feedCharger(id, .balancing(balancingSetpoint(connectorId: id)))
            feedCharger(id, .availability(operative: isOperative(connectorId: id)))
            feedCharger(id, .tick)
        }
    }

    /// A card at a charger's reader goes to that charger; false when the reader is no charger's.
    func chargerReaderEvent(_ event: ReaderEvent) -> Bool {
        guard let charger = configuration.chargers.first(where: { $0.reader == event.readerID }) else { return false }
        if case .cardPresented(let tag) = event.kind {
            Task { await self.chargerCardPresented(idTag: tag.value, connectorId: charger.connectorId) }
        }
        return true
    }

    /// A card at the charger: ends the session it owns (or its group's), else authorizes a new one.
    func chargerCardPresented(idTag: String, connectorId: Int) async {
        guard chargerView.running, let machine = chargerView.machines[connectorId] else { return }
        if let open = machine.openSession {
            var parent: String?
            if open.idTag.caseInsensitiveCompare(idTag) != .orderedSame, let authorizer {
                // Another card may belong to the owner's group; only an accepted card's group counts.
                let outcome = await authorizer.authorize(idTag: idTag)
                parent = outcome.isAccepted ? outcome.parentIdTag : nil
            }
            feedCharger(connectorId, .stopWithCard(idTag: idTag, parentIdTag: parent))
            return
        }
        guard let authorizer else {
            logger.error("a card cannot start a charger session: no authorization service", metadata: ["connectorId": "\(connectorId)"])
            feedCharger(connectorId, .authorized(
                idTag: idTag, outcome: AuthorizationOutcome(status: .invalid, source: .localList), method: .rfid,
                sessionId: UUID().uuidString.lowercased()))
            return
        }
        let outcome = await authorizer.authorize(idTag: idTag)
        logger.info("card authorization at a charger", metadata: [
            "connectorId": "\(connectorId)", "status": "\(outcome.status.rawValue)", "source": "\(outcome.source.rawValue)",
        ])
        feedCharger(connectorId, .authorized(
            idTag: idTag, outcome: outcome, method: .rfid, sessionId: UUID().uuidString.lowercased()))
    }

    // MARK: Remote start and stop (called by Remote/ for charger connectors)

    /// RemoteStartTransaction on a charger: true (Accepted) when the charger can take a session now (no session,
    /// no fault) and, with AuthorizeRemoteTxRequests (`authorizeFirst`; nil: the uplink's key), the idTag is
    /// accepted like a card. The session starts as soon as a car is plugged in (at once when one is).
    public func remoteStart(chargerConnectorId connectorId: Int, idTag: String, authorizeFirst: Bool? = nil) async -> Bool {
        guard chargerView.running, let machine = chargerView.machines[connectorId], machine.openSession == nil,
              machine.session?.state != .finishing, machine.fault == nil, isOperative(connectorId: connectorId)
        else { return false }
        var outcome = AuthorizationOutcome(status: .accepted, source: .centralSystem)
        var shouldAuthorize = authorizeFirst ?? false
        if authorizeFirst == nil, let uplink = chargerView.uplink { shouldAuthorize = await uplink.authorizesRemoteStarts() }
        if let authorizer, shouldAuthorize {
            outcome = await authorizer.authorize(idTag: idTag)
            guard outcome.isAccepted else { return false }
        }
        guard chargerView.machines[connectorId]?.openSession == nil else { return false }
        feedCharger(connectorId, .authorized(
            idTag: idTag, outcome: outcome, method: .remote, sessionId: UUID().uuidString.lowercased()))
        return chargerView.machines[connectorId]?.openSession?.idTag == idTag
    }

    /// RemoteStopTransaction: stops the charger transaction with this central transaction id; false when no
    /// charger runs it.
    public func remoteStop(chargerTransactionId transactionId: Int) -> Bool {
        guard let (connectorId, _) = chargerView.machines.first(where: {
            $0.value.openSession?.centralTransactionId == transactionId
        }) else { return false }
        feedCharger(connectorId, .stop(reason: .remote))
        return true
    }

    /// Reset (Operations/): stops every running charger transaction with `reason` and returns once each
    /// StopTransaction is in the durable queue (or `patience` ran out), with the number stopped. The chargers are
    /// switched off; their sessions show Finishing until the cars are unplugged.
    public func stopChargerTransactionsForReset(reason: SessionStopReason, patience: Duration = .seconds(10)) async -> Int {
        var stopping: [Int: String] = [:]
        for (connectorId, machine) in chargerView.machines {
            guard let running = machine.runningSession else { continue }
            stopping[connectorId] = running.id
            feedCharger(connectorId, .stop(reason: reason))
        }
        let deadline = ContinuousClock.now.advanced(by: patience)
        while ContinuousClock.now < deadline {
            let waiting = stopping.values.filter { id in chargerRecord(id).map { !$0.stopTransactionQueued } ?? false }
            if waiting.isEmpty { return stopping.count }
            try? await Task.sleep(for: .milliseconds(50))
        }
        logger.error("reset: not every charger StopTransaction was queued in time; the next start queues what is missing")
        return stopping.count
    }

    /// True when the connector is one of the site's chargers (Remote/ routes it here).
    public nonisolated func isCharger(connectorId: Int) -> Bool {
        configuration.chargers.contains { $0.connectorId == connectorId }
    }

    // MARK: Policy

    func chargerPolicy(_ charger: ChargerConfiguration) async -> ChargerPolicy {
        let settings = chargerView.settings
        var keys: [String: String] = [:]
        var stopOnDisconnect = true
        if let uplink = chargerView.uplink {
            keys = await uplink.sessionConfigurationValues()
            stopOnDisconnect = await uplink.stopsTransactionsOnEVSideDisconnect()
        } else if let stored = try? store.ocppConfigurationValues() {
            keys = stored
            stopOnDisconnect = stored[StandardConfigurationKey.stopTransactionOnEVSideDisconnect.rawValue]
                .map { $0.lowercased() != "false" } ?? true
        }
        func seconds(_ key: StandardConfigurationKey, _ fallback: TimeInterval) -> TimeInterval {
            keys[key.rawValue].flatMap(Int.init).map(TimeInterval.init) ?? fallback
        }
        return ChargerPolicy(
            connectionTimeOut: seconds(.connectionTimeOut, settings.defaultConnectionTimeOut),
            meterSampleInterval: seconds(.meterValueSampleInterval, settings.defaultMeterSampleInterval),
            stopOnEVSideDisconnect: stopOnDisconnect, minCurrentAmps: charger.minCurrentAmps,
            maxCurrentAmps: charger.maxCurrentAmps, phases: charger.phases,
            tariff: tariff(forConnector: charger.connectorId))
    }
}

extension ChargerReading {
    /// A charge controller's reading from its profile's values: `charging-state` (the pilot state letter),
    /// `charging-enabled`, `current-setpoint`, and the energy register and power when it has a meter.
    init(status: MeterStatus, at time: Date) {
        func named(_ name: String) -> Double? { status.values.first { $0.name == name }?.value ?? nil }
        func measured(_ measurand: MeterBus.Measurand) -> Double? {
            guard let value = status.values.first(where: { $0.measurand == measurand && $0.phase == nil && $0.value != nil }),
                  let number = value.value else { return nil }
            return value.unit.lowercased().hasPrefix("k") ? number * 1000 : number
        }
        self.init(
            at: time, pilot: named("charging-state").flatMap(ChargerPilotState.init(register:)),
            energyWh: measured(.energyActiveImportRegister), powerWatts: measured(.powerActiveImport),
            enabled: named("charging-enabled").map { $0 != 0 }, setpointAmps: named("current-setpoint"))
    }
}

extension OCPPUplink {
    /// StopTransactionOnEVSideDisconnect (default true).
    func stopsTransactionsOnEVSideDisconnect() -> Bool {
        registry.bool(.stopTransactionOnEVSideDisconnect, in: keys) ?? true
    }

    /// AuthorizeRemoteTxRequests (default false).
    func authorizesRemoteStarts() -> Bool {
        registry.bool(.authorizeRemoteTxRequests, in: keys) ?? false
    }
}
