import Foundation
import LockerIO
import MeterBus
import OCPP

/// Sessions in the site controller: the store is reconciled with the hardware first, then hardware events,
/// cards, meter readings and time drive one `CompartmentSessionMachine` per compartment, and their commands
/// are carried out here (SiteController+SessionCommands.swift), each `persist` committed before what follows.
///
/// Card binding (docs/local-api.md, "Sessions"): a card at a compartment's own reader belongs to that
/// compartment. A card at a shared reader (one without a compartment in the site file) goes to the compartment
/// whose number was just typed on a keypad; else it ends the session that card owns, if any; else it
/// authorizes the most recently closed door that waits for authorization; else a card of an owner's group
/// ends that owner's session.
extension SiteController {
    // MARK: Start-up

    /// Reconciles the stored sessions with the hardware as read, then starts following time, meters and the
    /// uplink's confirmations. Call after `followHardware()` and before the local API and the uplink run, so
    /// nothing acts on a compartment before its session is known. A restart never unlocks a door.
    public func startSessions(uplink: OCPPUplink?, settings: SessionSettings = SessionSettings()) async {
        guard !sessionView.running else { return }
        sessionView.authorizer = authorizer
        sessionView.uplink = uplink
        sessionView.settings = settings
        if authorizer == nil {
            logger.warning("no authorization service: cards cannot start sessions")
        }
        let stored: [SessionRecord]
        do {
            stored = try store.unclosedSessions()
        } catch {
            logger.critical("stored sessions unreadable; compartments keep their locks, no session starts",
                            metadata: ["error": "\(error)"])
            stored = []
        }
        var byCompartment: [String: SessionRecord] = [:]
        for record in stored {
            if let older = byCompartment[record.compartment] {
                logger.error("two unclosed sessions for one compartment; the newer one is kept", metadata: [
                    "compartment": "\(record.compartment)", "older": "\(older.id)", "newer": "\(record.id)",
                ])
            }
            byCompartment[record.compartment] = record
        }
        let now = await sessionClock()
        sessionView.clockOffset = now.timeIntervalSince(Date())
        let (effects, effectsInput) = AsyncStream.makeStream(of: (String, [SessionCommand]).self)
        sessionView.effects = effectsInput
        sessionView.running = true
        for compartment in configuration.compartments {
            let status = hardwareView.statuses[compartment.name]
            let reading = DoorLockReading(
                doorClosed: status.map { $0.door == .closed } ?? true, locked: status.map { $0.lock == .locked } ?? true)
            let record = byCompartment[compartment.name]
            if let record { sessionView.records[record.id] = record }
            let (machine, commands) = CompartmentSessionMachine.restore(
                connectorId: compartment.connectorId, compartment: compartment.name, policy: await sessionPolicy(compartment),
                stored: record, reading: reading, latestMeter: await meterReading(compartment.name),
                transactions: settings.restartTransactions, previousRunWasClean: !runStart.previousEndedUncleanly,
                newSessionId: UUID().uuidString.lowercased(), at: now)
            sessionView.machines[compartment.name] = machine
            if let record {
                logger.notice("session restored", metadata: [
                    "compartment": "\(compartment.name)", "session": "\(record.id)", "state": "\(record.state.rawValue)",
                    "door": "\(status?.door.rawValue ?? "unknown")", "lock": "\(status?.lock.rawValue ?? "unknown")",
                ])
            }
            await apply(commitRecords(commands, of: compartment.name), to: compartment.name)
        }
        adoptConfirmedTransactionIds()
        // A session closed by the restart policy just before a crash may not have queued its StopTransaction yet.
        for record in (try? store.sessions(activeOnly: false, limit: 50)) ?? []
        where record.state == .closed && record.chargingStartedAt != nil && !record.stopTransactionQueued {
            await queueStop(
                sessionId: record.id, meterStopWh: record.meterStopWh ?? record.meterStartWh ?? 0,
                reason: record.stopReason ?? .other, idTag: nil, at: record.stoppedAt ?? now)
        }
        sessionView.tasks.append(Task { [weak self] in
            for await (name, commands) in effects { await self?.apply(commands, to: name) }
        })
        let interval = settings.tickInterval
        sessionView.tasks.append(Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await self?.sessionTick()
            }
        })
        await startReservations()
        if let uplink {
            let outcomes = uplink.startTransactionOutcomes
            sessionView.tasks.append(Task { [weak self] in
                for await outcome in outcomes { await self?.transactionConfirmed(outcome) }
            })
        }
    }

    /// Stops the session tasks (shutdown). Sessions stay stored and continue after the next start.
    func stopSessions() {
        sessionView.effects?.finish()
        for task in sessionView.tasks { task.cancel() }
        sessionView.tasks = []
    }

    // MARK: Inputs

    func sessionInput(_ name: String, _ input: SessionInput) {
        feedSession(name, input)
    }

    /// Hands one input to the compartment's machine at once (so inputs keep their order), commits its records
    /// right away, and queues the effects, which one task carries out in order.
    func feedSession(_ name: String, _ input: SessionInput) {
        // A card (or SMS) at a reserved compartment: the reservation decides first (Remote/).
        if reservationDecidedStart(name, input) { return }
        // A card about to start a session: load balancing decides for it first, so the socket starts as decided.
        if case .cardAuthorized(_, let outcome, _, _) = input, outcome.isAccepted { balancingBeforeStart(name) }
        if case .authorizedStart(_, let outcome, _, _, _) = input, outcome.isAccepted { balancingBeforeStart(name) }
        guard sessionView.running, var machine = sessionView.machines[name] else { return }
        machine.operative = isOperative(connectorId: machine.connectorId)  // Operations/SiteController+Availability.swift
        // A remote start or reservation holder's authorization starts its session as the door closes (Remote/).
        defer { heldAuthorizationDue(name) }
        let shownBefore = (machine.status, machine.shownFault)
        let demandBefore = machine.balancingDemandSince
        let commands = machine.handle(input, at: sessionNow())
        sessionView.machines[name] = machine
        // A session that starts or ends changes what load balancing shares out: decide again at once (Balancing/).
        defer { if machine.balancingDemandSince != demandBefore { requestBalancing() } }
        // A status that changed without a command (a fault that went away) still reaches the indicator and status.
        guard !commands.isEmpty || shownBefore != (machine.status, machine.shownFault) else { return }
        sessionView.effects?.yield((name, commitRecords(commands, of: name)))
        refreshCompartmentState(name)
    }

    /// Commits every record in order and returns the effects they cover; nothing after a record that cannot be
    /// committed is returned (DESIGN invariant 5).
    func commitRecords(_ commands: [SessionCommand], of name: String) -> [SessionCommand] {
        var effects: [SessionCommand] = []
        for command in commands {
            guard case .persist(let record) = command else {
                effects.append(command)
                continue
            }
            guard commit(record) else {
                logger.critical("session not committed; its effects are not carried out", metadata: [
                    "compartment": "\(name)", "session": "\(record.id)",
                ])
                break
            }
            if record.state == .locking, SessionFailpoint.armed == .afterAuthorize { SessionFailpoint.check(.afterAuthorize) }
        }
        return effects
    }

    /// The board's time, corrected to the central system's clock as the uplink last saw it.
    func sessionNow() -> Date { Date() + sessionView.clockOffset }

    /// The lock as the status reports it. The door follows the door events (below), which the status stream may
    /// coalesce: a door opened and shut quickly must still read as a driver putting things in.
    func sessionHardwareChanged(_ name: String, _ status: CompartmentStatus) {
        let doorClosed = sessionView.machines[name]?.reading?.doorClosed ?? (status.door == .closed)
        sessionInput(name, .hardware(DoorLockReading(doorClosed: doorClosed, locked: status.lock == .locked)))
    }

    func sessionDoorMoved(_ name: String, closed: Bool) {
        let locked = hardwareView.statuses[name]?.lock == .locked
        sessionInput(name, .hardware(DoorLockReading(doorClosed: closed, locked: closed && locked)))
    }

    func sessionEmergency() {
        for name in sessionView.machines.keys { sessionInput(name, .emergency) }
    }

    /// The operator's unlock ends the compartment's session before the lock moves (reason UnlockCommand).
    func sessionOperatorUnlocked(_ name: String) async {
        feedSession(name, .operatorUnlocked)
    }

    func sessionReaderEvent(_ event: ReaderEvent, compartment: String?) {
        switch event.kind {
        case .cardPresented(let tag):
            Task { await self.cardPresented(idTag: tag.value, reader: event.readerID, compartment: compartment) }
        case .keypadEntry(let entry):
            keypadEntered(entry.text, reader: event.readerID)
        case .rejected:
            break
        }
    }

    /// A compartment number typed on a keypad (its connector id, e.g. `3#`) picks which waiting door the next
    /// card at a shared reader authorizes, for `SessionView.keypadBindingLifetime`. Other entries (receipt PINs)
    /// are not the session code's.
    func keypadEntered(_ text: String, reader: String) {
        guard let number = Int(text), let compartment = configuration.compartments.first(where: { $0.connectorId == number }),
              let machine = sessionView.machines[compartment.name], machine.waitingSince != nil, machine.openSession == nil
        else {
            receiptPINEntered(text, reader: reader)  // SMS/SiteController+SMS.swift
            return
        }
        sessionView.keypadBinding = (compartment.name, sessionNow())
        driverFeedback(.compartmentSelected, compartment: compartment.name, reader: reader)
    }

    /// A card: ends its owner's session or authorizes a waiting door, through `IdTagAuthorizing` only.
    func cardPresented(idTag: String, reader: String, compartment: String?) async {
        guard sessionView.running else { return }
        // The holder of a reserved free compartment gets it opened (Remote/SiteController+Reservations.swift).
        if await reservationHolderArrived(idTag: idTag, compartment: compartment, reader: reader) { return }
        var method: SessionAuthorizationMethod = compartment == nil ? .rfidSharedReader : .rfid
        var bound: String?
        if compartment == nil, let binding = sessionView.keypadBinding {
            sessionView.keypadBinding = nil
            if sessionNow().timeIntervalSince(binding.at) <= SessionView.keypadBindingLifetime {
                bound = binding.compartment
                method = .keypadAndSharedReader
            }
        }
        guard let target = compartment ?? bound ?? sharedReaderTarget(for: idTag) else {
            // Last rule of a shared reader: a card of an owner's group ends that owner's session.
            if let authorizer = sessionView.authorizer {
                let outcome = await authorizer.authorize(idTag: idTag)
                if outcome.isAccepted, let group = outcome.parentIdTag, let session = sessionView.machines.values
                    .compactMap({ $0.openSession })
                    .filter({ $0.state != .locking && $0.isOwner(idTag: idTag, parentIdTag: group) })
                    .max(by: { $0.authorizedAt < $1.authorizedAt })
                {
                    feedSession(session.compartment, .stopWithCard(idTag: idTag, parentIdTag: group))
                    return
                }
            }
            driverFeedback(.noWaitingDoor, compartment: nil, reader: reader)
            return
        }
        guard let machine = sessionView.machines[target] else { return }
        if machine.isLatchedAfterEnd(for: idTag) {
            feedSession(target, .stopWithCard(idTag: idTag, parentIdTag: nil))
            return
        }
        if let open = machine.openSession, open.state != .locking {
            var parent: String?
            if open.idTag.caseInsensitiveCompare(idTag) != .orderedSame, let authorizer = sessionView.authorizer {
                // Another card may belong to the owner's group; only an accepted card's group counts.
                let outcome = await authorizer.authorize(idTag: idTag)
                parent = outcome.isAccepted ? outcome.parentIdTag : nil
            }
            feedSession(target, .stopWithCard(idTag: idTag, parentIdTag: parent))
            return
        }
        guard machine.waitingSince != nil else {
            driverFeedback(machine.openSession == nil ? .noWaitingDoor : .notOwner, compartment: target, reader: reader)
            return
        }
        guard let authorizer = sessionView.authorizer else {
            logger.error("a card cannot start a session: no authorization service", metadata: ["compartment": "\(target)"])
            driverFeedback(.rejected, compartment: target, reader: reader)
            return
        }
        guard !sessionView.authorizing.contains(target) else { return }
        sessionView.authorizing.insert(target)
        let outcome = await authorizer.authorize(idTag: idTag)
        sessionView.authorizing.remove(target)
        logger.info("card authorization", metadata: [
            "compartment": "\(target)", "status": "\(outcome.status.rawValue)", "source": "\(outcome.source.rawValue)",
        ])
        // The meterStart is the register as fresh as it can be.
        if let reading = await meterReading(target), reading.at > (sessionView.meterFedAt[target] ?? .distantPast) {
            sessionView.meterFedAt[target] = reading.at
            feedSession(target, .meter(reading))
        }
        // Reservations decide whether this card may start here (Remote/SiteController+RemoteStart.swift).
        startCardAuthorized(target, idTag: idTag, outcome: outcome, method: method, reader: reader)
    }

    /// The documented shared-reader rule: the card's own session first, else the most recently closed waiting door.
    func sharedReaderTarget(for idTag: String) -> String? {
        let owned = sessionView.machines.values
            .compactMap { $0.openSession }
            .filter { $0.state != .locking && $0.idTag.caseInsensitiveCompare(idTag) == .orderedSame }
            .max { $0.authorizedAt < $1.authorizedAt }
        if let owned { return owned.compartment }
        if let ended = sessionView.machines.values.first(where: { $0.isLatchedAfterEnd(for: idTag) }) {
            return ended.compartment  // the owner's card releases a door a restart left latched
        }
        // An operative door first: an inoperative one only refuses the card (Operations/, ChangeAvailability).
        return sessionView.machines.values
            .filter { $0.waitingSince != nil && $0.openSession == nil }
            .max { ($0.operative ? 1 : 0, $0.waitingSince ?? .distantPast) < ($1.operative ? 1 : 0, $1.waitingSince ?? .distantPast) }?
            .compartment
    }

    // MARK: Time, meters, configuration

    func sessionTick() async {
        guard sessionView.running else { return }
        sessionView.clockOffset = await sessionClock().timeIntervalSince(Date())
        for compartment in configuration.compartments {
            let name = compartment.name
            guard var machine = sessionView.machines[name] else { continue }
            machine.policy = await sessionPolicy(compartment)
            sessionView.machines[name] = machine
            if let reading = await meterReading(name), reading.at > (sessionView.meterFedAt[name] ?? .distantPast) {
                sessionView.meterFedAt[name] = reading.at
                feedSession(name, .meter(reading))
            }
            feedSession(name, .tick)
        }
    }

    /// The uplink's clock when there is one (corrected to the central system's), else the board's.
    func sessionClock() async -> Date {
        if let uplink = sessionView.uplink { return await uplink.now() }
        return Date()
    }

    func sessionPolicy(_ compartment: CompartmentConfiguration) async -> SessionPolicy {
        let settings = sessionView.settings
        var keys: [String: String] = [:]
        if let uplink = sessionView.uplink {
            keys = await uplink.sessionConfigurationValues()
        } else if let stored = try? store.ocppConfigurationValues() {
            keys = stored
        }
        func seconds(_ key: StandardConfigurationKey, _ fallback: TimeInterval) -> TimeInterval {
            keys[key.rawValue].flatMap(Int.init).map(TimeInterval.init) ?? fallback
        }
        var policy = SessionPolicy(
            connectionTimeOut: seconds(.connectionTimeOut, settings.defaultConnectionTimeOut),
            lockConfirmTimeout: settings.lockConfirmTimeout,
            meterSampleInterval: seconds(.meterValueSampleInterval, settings.defaultMeterSampleInterval),
            clockAlignedInterval: seconds(.clockAlignedDataInterval, settings.defaultClockAlignedInterval),
            maxPowerWatts: compartment.maxPowerWatts,
            chargeCompleteBelowWatts: settings.chargeCompleteBelowWatts, chargeCompleteAfter: settings.chargeCompleteAfter,
            switchOffWhenComplete: settings.switchOffWhenComplete, maxOccupancy: settings.maxOccupancy,
            maxEnergyWh: settings.maxEnergyWh,
            chargeWithDoorOpen: compartment.chargeWithDoorOpen, keepFreeUnlocked: settings.keepFreeUnlocked)
        applyTariff(to: &policy, connectorId: compartment.connectorId, hasMeter: compartment.meter != nil && metering != nil)
        return policy
    }

    /// The compartment meter's latest fresh reading: energy register in Wh and active power in W. Nil without a
    /// meter (the session then starts at 0 Wh) or while the meter is stale.
    func meterReading(_ name: String) async -> CompartmentMeterReading? {
        guard let metering, let status = await metering.status(role: .compartment, name: name), !status.stale,
              let time = status.time else { return nil }
        func value(_ measurand: MeterBus.Measurand) -> (Double, String)? {
            status.values.first { $0.measurand == measurand && $0.phase == nil && $0.value != nil }
                .flatMap { value in value.value.map { ($0, value.unit.lowercased()) } }
        }
        guard let (energy, energyUnit) = value(.energyActiveImportRegister) else { return nil }
        let power = value(.powerActiveImport).map { $0.1.hasPrefix("k") ? $0.0 * 1000 : $0.0 }
        return CompartmentMeterReading(at: time, energyWh: energyUnit.hasPrefix("k") ? energy * 1000 : energy, powerWatts: power)
    }

    // MARK: What the status shows

    func sessionConnectorStatus(_ name: String) -> String {
        let status = sessionView.machines[name]?.status ?? .available
        // A free compartment may be Reserved, or Preparing for a remote start (Remote/).
        return (status == .available ? remoteShownStatus(name) ?? status : status).rawValue
    }

    func sessionSummary(_ name: String) -> SessionSummary? {
        guard let record = sessionView.machines[name]?.session else { return nil }
        return SessionSummary(record, now: Date())
    }

    /// Sessions newest first, from the store (`GET /v1/sessions`).
    public func sessions(activeOnly: Bool, limit: Int) throws(StoreError) -> [SessionSummary] {
        let now = Date()
        return try store.sessions(activeOnly: activeOnly, limit: limit).map { SessionSummary($0, now: now) }
    }
}
