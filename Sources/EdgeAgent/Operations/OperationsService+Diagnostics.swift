import Foundation
import OCPP

/// GetDiagnostics: the log lines of the requested window (the in-memory ring, plus journalctl's when it exists) and
/// a consistent copy of the store, in one .tar.gz, uploaded by HTTP(S) PUT or POST with retries.
extension OperationsService {
    public func getDiagnostics(_ request: GetDiagnosticsRequest) async -> GetDiagnosticsConfirmation {
        if let problem = DiagnosticsRules.unsupportedLocation(request.location) {
            logger.warning("GetDiagnostics: nothing uploaded", metadata: ["problem": "\(problem)"])
            return GetDiagnosticsConfirmation()
        }
        guard !diagnosticsRunning else {
            logger.warning("GetDiagnostics: an upload is already under way; nothing new uploaded")
            return GetDiagnosticsConfirmation()
        }
        diagnosticsRunning = true
        let fileName = DiagnosticsRules.fileName(identity: identity, at: Date())
        logger.notice("diagnostics requested", metadata: [
            "location": "\(HTTPTransfer.redacted(request.location))", "fileName": "\(fileName)",
            "startTime": "\(request.startTime?.formatted(.iso8601) ?? "-")", "stopTime": "\(request.stopTime?.formatted(.iso8601) ?? "-")",
        ])
        Task { await self.collectAndUpload(request, fileName: fileName) }
        return GetDiagnosticsConfirmation(fileName: fileName)
    }

    private func collectAndUpload(_ request: GetDiagnosticsRequest, fileName: String) async {
        defer { diagnosticsRunning = false }
        let work = (stateFolder as NSString).appendingPathComponent("diagnostics")
        let folder = (work as NSString).appendingPathComponent(String(fileName.dropLast(".tar.gz".count)))
        let archive = (work as NSString).appendingPathComponent(fileName)
        defer {
            try? FileManager.default.removeItem(atPath: folder)
            try? FileManager.default.removeItem(atPath: archive)
        }
        if let problem = await bundle(request, into: folder, archive: archive) {
            logger.error("diagnostics bundle not built; nothing uploaded", metadata: ["problem": "\(problem)"])
            await reportDiagnostics(.uploadFailed)
            return
        }
        await reportDiagnostics(.uploading)
        let url = DiagnosticsRules.uploadURL(location: request.location, fileName: fileName)
        let (attempts, interval) = DiagnosticsRules.attempts(retries: request.retries, retryInterval: request.retryInterval)
        for attempt in 1...attempts {
            do throws(HTTPTransferError) {
                try await HTTPTransfer.upload(archive, to: url, method: settings.diagnosticsUploadMethod)
                logger.notice("diagnostics uploaded", metadata: ["url": "\(HTTPTransfer.redacted(url))", "attempt": "\(attempt)"])
                await reportDiagnostics(.uploaded)
                return
            } catch {
                logger.warning("diagnostics upload failed", metadata: [
                    "attempt": "\(attempt)", "of": "\(attempts)", "problem": "\(error)",
                ])
            }
            if attempt < attempts { try? await Task.sleep(for: .seconds(interval)) }
        }
        await reportDiagnostics(.uploadFailed)
    }

    /// Writes the bundle's files into `folder` and packs them into `archive`; returns what went wrong, if anything.
    private func bundle(_ request: GetDiagnosticsRequest, into folder: String, archive: String) async -> String? {
        let files = FileManager.default
        do {
            try? files.removeItem(atPath: folder)
            try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            return "cannot create \(folder): \(error)"
        }
        let lines = DiagnosticsRules.select(logRing.snapshot(), start: request.startTime, stop: request.stopTime)
        let logText = lines.map(\.text).joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
        guard files.createFile(atPath: (folder as NSString).appendingPathComponent("edge-agent.log"), contents: Data(logText.utf8)) else {
            return "cannot write the log lines into \(folder)"
        }
        do throws(StoreError) {
            try store.backup(to: (folder as NSString).appendingPathComponent(SiteStore.fileName))
        } catch {
            return "store snapshot failed: \(error)"
        }
        let journal = await journalLines(start: request.startTime, stop: request.stopTime)
        if let journal {
            _ = files.createFile(atPath: (folder as NSString).appendingPathComponent("journal.log"), contents: Data(journal.utf8))
        }
        let manifest: [String: String] = [
            "station": identity, "createdAt": Date().formatted(.iso8601),
            "startTime": request.startTime?.formatted(.iso8601) ?? "", "stopTime": request.stopTime?.formatted(.iso8601) ?? "",
            "logLines": String(lines.count), "journal": journal == nil ? "journalctl not available" : "included",
        ]
        if let data = try? JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys]) {
            _ = files.createFile(atPath: (folder as NSString).appendingPathComponent("manifest.json"), contents: data)
        }
        let packed = await runOffPool("tar -czf", arguments: [archive, "-C", folder, "."])
        if case .failure(let failure) = packed { return "packing the bundle failed: \(failure)" }
        return nil
    }

    /// The unit's journal for the window, when journalctl exists (nil otherwise).
    private func journalLines(start: Date?, stop: Date?) async -> String? {
        guard let journalctl = ["/usr/bin/journalctl", "/bin/journalctl"].first(where: FileManager.default.isExecutableFile)
        else { return nil }
        let arguments = DiagnosticsRules.journalctlArguments(unit: settings.journalUnit, start: start, stop: stop)
        return await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: journalctl)
                process.arguments = arguments
                let output = Pipe()
                process.standardOutput = output
                process.standardError = output
                guard (try? process.run()) != nil else {
                    continuation.resume(returning: nil)
                    return
                }
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }
        }
    }

    /// A shell command on a thread of its own (never blocking the concurrency pool).
    func runOffPool(_ command: String, arguments: [String]) async -> Result<Void, ProcessRestart.CommandFailure> {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: ProcessRestart.runShell(command, arguments: arguments)) }
        }
    }
}
