import Foundation
import OCPP

/// UpdateFirmware: download at retrieveDate with retries into the staging folder, the install command, the restart,
/// and Installed (or the failure) reported by the next run. The stage is stored before each step.
extension OperationsService {
    /// `<state folder>/firmware-staging`: holds the one firmware file being installed.
    var firmwareStagingFolder: String { (stateFolder as NSString).appendingPathComponent("firmware-staging") }

    public func updateFirmware(_ request: UpdateFirmwareRequest) async -> UpdateFirmwareConfirmation {
        if let running = firmware, !running.finished {
            logger.warning("UpdateFirmware ignored: an update is already under way", metadata: [
                "running": "\(HTTPTransfer.redacted(running.location))", "requested": "\(HTTPTransfer.redacted(request.location))",
            ])
            return UpdateFirmwareConfirmation()
        }
        firmwareRequest = request
        firmware = FirmwareUpdateProgress(location: request.location, retries: request.retries, retryInterval: request.retryInterval)
        firmwareOutcomeToReport = false
        storeFirmware(.scheduled, file: nil)
        do {
            try store.appendAudit(AuditRecord(
                recordedAt: Date(), actor: "central-system", action: "firmware-update",
                target: HTTPTransfer.redacted(request.location), reason: "UpdateFirmware, retrieve at \(request.retrieveDate.formatted(.iso8601))"))
        } catch {
            logger.error("UpdateFirmware not recorded in the audit log", metadata: ["error": "\(error)"])
        }
        logger.notice("firmware update scheduled", metadata: [
            "location": "\(HTTPTransfer.redacted(request.location))", "retrieveDate": "\(request.retrieveDate.formatted(.iso8601))",
            "retries": "\(request.retries.map(String.init) ?? "-")", "retryInterval": "\(request.retryInterval.map(String.init) ?? "-")",
        ])
        startAtRetrieveDate(request.retrieveDate)
        return UpdateFirmwareConfirmation()
    }

    private func startAtRetrieveDate(_ retrieveDate: Date) {
        Task {
            let wait = retrieveDate.timeIntervalSince(await self.uplink.now())
            if wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
            await self.firmwareEvent(.retrieveDateReached)
        }
    }

    /// Feeds the update's machine and carries out what it decides, in order. Downloads and the install run as tasks
    /// that feed their outcome back here.
    func firmwareEvent(_ event: FirmwareUpdateEvent) async {
        guard var progress = firmware else { return }
        let effects = progress.handle(event)
        firmware = progress
        for effect in effects {
            switch effect {
            case .persist(let stage):
                storeFirmware(stage, file: stage == .installing || stage == .installed ? stagedFile(for: progress.location) : nil)
            case .clear:
                clearStoredFirmware()
            case .report(let status):
                await reportFirmware(status)
            case let .download(attempt, after):
                Task { await self.download(attempt: attempt, after: after) }
            case .install(let file):
                Task { await self.install(file) }
            case .restart:
                logger.notice("firmware installed; restarting to run it (Installed is reported after the restart)")
                requestExit(.restart(reason: "firmware installed"))
            case .log(let message):
                logger.warning("\(message)")
            }
        }
    }

    private func download(attempt: Int, after delay: TimeInterval) async {
        if delay > 0 { try? await Task.sleep(for: .seconds(delay)) }
        guard let progress = firmware else { return }
        let file = stagedFile(for: progress.location)
        do {
            try? FileManager.default.removeItem(atPath: firmwareStagingFolder)
            try FileManager.default.createDirectory(atPath: firmwareStagingFolder, withIntermediateDirectories: true)
        } catch {
            await firmwareEvent(.downloadFailed(reason: "cannot create the staging folder \(firmwareStagingFolder): \(error)"))
            return
        }
        logger.info("firmware download", metadata: ["attempt": "\(attempt)", "location": "\(HTTPTransfer.redacted(progress.location))"])
        do throws(HTTPTransferError) {
            try await HTTPTransfer.download(progress.location, to: file)
        } catch {
            await firmwareEvent(.downloadFailed(reason: error.description))
            return
        }
        await firmwareEvent(.downloadSucceeded(file: file))
    }

    private func install(_ file: String) async {
        guard let command = settings.firmwareInstallCommand else {
            await firmwareEvent(.installFailed(
                reason: "no operations.firmwareInstallCommand in the site file; the file stays in \(firmwareStagingFolder)"))
            return
        }
        logger.notice("installing firmware", metadata: ["command": "\(command)", "file": "\(file)"])
        // The command may take minutes: it runs on a thread of its own, not on the concurrency pool.
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, ProcessRestart.CommandFailure>, Never>) in
            DispatchQueue.global().async { continuation.resume(returning: ProcessRestart.runShell(command, arguments: [file])) }
        }
        switch result {
        case .success: await firmwareEvent(.installSucceeded)
        case .failure(let failure): await firmwareEvent(.installFailed(reason: failure.description))
        }
    }

    func stagedFile(for location: String) -> String {
        let name = URL(string: location)?.lastPathComponent ?? ""
        let safe = name.isEmpty || name == "/" || name.hasPrefix(".") ? "firmware.bin" : name
        return (firmwareStagingFolder as NSString).appendingPathComponent(safe)
    }

    func storeFirmware(_ stage: FirmwareUpdateStage, file: String?) {
        guard let request = firmwareRequest else { return }
        do {
            try store.setFirmwareUpdate(StoredFirmwareUpdate(
                stage: stage, location: request.location, retrieveDate: request.retrieveDate, retries: request.retries,
                retryInterval: request.retryInterval, file: file, detail: nil, updatedAt: Date()))
        } catch {
            logger.error("firmware update stage not stored; a restart now would not report it", metadata: ["error": "\(error)"])
        }
    }

    func clearStoredFirmware() {
        do {
            try store.setFirmwareUpdate(nil)
        } catch {
            logger.error("finished firmware update not cleared from the store", metadata: ["error": "\(error)"])
        }
    }

    /// After a restart: the stored update's outcome is reported once the charge point is registered.
    func restoreFirmwareOutcome() {
        let stored: StoredFirmwareUpdate?
        do {
            stored = try store.firmwareUpdate()
        } catch {
            logger.error("stored firmware update unreadable", metadata: ["error": "\(error)"])
            return
        }
        guard let stored else { return }
        guard let (status, why) = FirmwareUpdateProgress.reportAfterRestart(stored.stage) else {
            // Not installing yet when the daemon stopped: the update starts over.
            logger.notice("firmware update resumed after the restart", metadata: [
                "location": "\(HTTPTransfer.redacted(stored.location))", "retrieveDate": "\(stored.retrieveDate.formatted(.iso8601))",
            ])
            let request = UpdateFirmwareRequest(
                location: stored.location, retries: stored.retries, retrieveDate: stored.retrieveDate,
                retryInterval: stored.retryInterval)
            firmwareRequest = request
            firmware = FirmwareUpdateProgress(location: request.location, retries: request.retries, retryInterval: request.retryInterval)
            startAtRetrieveDate(request.retrieveDate)
            return
        }
        logger.notice("firmware update outcome after the restart", metadata: [
            "status": "\(status.rawValue)", "why": "\(why)", "location": "\(HTTPTransfer.redacted(stored.location))",
        ])
        currentFirmwareStatus = status
        unsentFirmwareStatus = status
        firmwareOutcomeToReport = true
    }
}
