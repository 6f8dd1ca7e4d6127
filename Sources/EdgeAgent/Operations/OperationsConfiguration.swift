/// How the daemon carries out the central system's Reset, UpdateFirmware and GetDiagnostics (`operations:` in the
/// site file; docs/configuration.md).
public struct OperationsConfiguration: Sendable, Equatable, Codable {
    public enum UploadMethod: String, Sendable, Equatable, Codable, CaseIterable {
        case put = "PUT", post = "POST"
    }

    /// Run by a hard Reset after every transaction is stopped and the services stopped (through `/bin/sh -c`).
    /// When it fails, the daemon restarts itself instead (the soft path) and logs why.
    public var hardResetCommand = "systemctl reboot"
    /// Installs a downloaded firmware file, given as its one argument (through `/bin/sh -c`); exit status 0 means
    /// installed. nil: UpdateFirmware downloads, then reports InstallationFailed.
    public var firmwareInstallCommand: String?
    /// How GetDiagnostics uploads its bundle over HTTP(S).
    public var diagnosticsUploadMethod: UploadMethod = .put
    /// The systemd unit whose journal goes into a diagnostics bundle (when journalctl exists).
    public var journalUnit = "edge-agent"

    public init() {}
}
