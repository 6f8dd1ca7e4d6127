import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// How the daemon's run ended, and what the process does next (after every service stopped and the store closed).
public enum DaemonExit: Sendable, Equatable {
    /// Stopped (SIGTERM, SIGINT): the process exits.
    case stopped
    /// Start again in the same process (soft Reset, installed firmware).
    case restart(reason: String)
    /// Hard Reset: run this command (e.g. `systemctl reboot`); if it fails, restart as for a soft reset.
    case hardReset(command: String)

    /// What systemd is told as the services stop: STOPPING=1, or RELOADING=1 when the process starts again in place
    /// (after STOPPING=1 systemd would kill the restarted process once TimeoutStopSec ran out).
    public var systemdNotification: String {
        guard self != .stopped else { return "STOPPING=1" }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return "RELOADING=1\nMONOTONIC_USEC=\(Int(now.tv_sec) * 1_000_000 + Int(now.tv_nsec) / 1_000)"
    }

    /// Carries the exit out. Returns only when the process should simply exit (stopped, or the reboot is under way);
    /// a restart replaces the process image and does not return unless it fails, in which case the process exits with
    /// a failure status so a supervisor (systemd `Restart=on-failure`) starts it again.
    public func carryOut(logger: Logger) {
        switch self {
        case .stopped:
            return
        case .restart(let reason):
            logger.notice("restarting", metadata: ["reason": "\(reason)"])
            ProcessRestart.replaceProcess(logger: logger)
        case .hardReset(let command):
            logger.notice("hard reset: running the hard reset command", metadata: ["command": "\(command)"])
            switch ProcessRestart.runShell(command, arguments: []) {
            case .success:
                logger.notice("hard reset command succeeded; exiting while the board reboots")
                return
            case .failure(let problem):
                logger.error("hard reset command failed; restarting the daemon instead (soft reset)", metadata: [
                    "command": "\(command)", "problem": "\(problem)",
                ])
                ProcessRestart.replaceProcess(logger: logger)
            }
        }
    }
}

/// Starting the daemon again in place, and running the site file's commands.
public enum ProcessRestart {
    /// The running executable's path. A binary replaced on disk (a firmware install) shows as "<path> (deleted)": the
    /// new file at that path is the one to start.
    static func executablePath() -> String {
        let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let deleted = " (deleted)"
        return link.hasSuffix(deleted) ? String(link.dropLast(deleted.count)) : link
    }

    /// Replaces the process image with the same executable and arguments (same PID, so systemd keeps following it).
    /// Only standard input, output and error survive; signal handling starts from the defaults.
    static func replaceProcess(logger: Logger) -> Never {
        let path = executablePath()
        markDescriptorsCloseOnExec()
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
        var empty = sigset_t()
        sigemptyset(&empty)
        sigprocmask(SIG_SETMASK, &empty, nil)
        let arguments = CommandLine.arguments
        var pointers: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        pointers.append(nil)
        execv(path, &pointers)
        let problem = String(cString: strerror(errno))
        logger.critical("could not start the daemon again; exiting so the supervisor restarts it", metadata: [
            "executable": "\(path)", "problem": "\(problem)",
        ])
        exit(EXIT_FAILURE)
    }

    /// Every descriptor above standard error is closed by the exec (listening sockets, the store, serial ports).
    private static func markDescriptorsCloseOnExec() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for entry in entries {
            guard let fd = Int32(entry), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// Why a command failed.
    public struct CommandFailure: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Runs `command` through `/bin/sh -c` with `arguments` as $1, $2, ...; success is exit status 0. Its output goes
    /// to the daemon's standard output (the journal); the last lines of it are part of a failure.
    public static func runShell(_ command: String, arguments: [String]) -> Result<Void, CommandFailure> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command + (arguments.isEmpty ? "" : " \"$@\""), "edge-agent"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            return .failure(CommandFailure(description: "could not start /bin/sh: \(error)"))
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        if !text.isEmpty { FileHandle.standardOutput.write(data) }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let tail = text.split(separator: "\n").suffix(3).joined(separator: " | ")
            let how = process.terminationReason == .exit
                ? "exited with status \(process.terminationStatus)" : "was killed by signal \(process.terminationStatus)"
            return .failure(CommandFailure(description: "'\(command)' \(how)\(tail.isEmpty ? "" : ": \(tail)")"))
        }
        return .success(())
    }
}
