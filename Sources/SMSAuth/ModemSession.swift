/// The byte pipe to a modem: a serial port on a board, a pseudo-terminal to the simulated
/// modem on a laptop. The session logic above it is the same for both.
public protocol ModemTransport: Sendable {
    func write(_ bytes: [UInt8]) async throws
    /// Bytes as they arrive; finishes when the port closes.
    var incoming: AsyncStream<[UInt8]> { get }
}

/// One command at a time over AT: queues commands, matches response lines to the command
/// in flight, feeds the PDU after the "> " prompt, and separates unsolicited lines (+CMTI,
/// +CREG). Pure: the shell writes `.write` bytes, reports timeouts, and hands over lines.
public struct ModemSession: Sendable {
    public enum Output: Sendable, Equatable {
        case write([UInt8])
        case completed(ATCommand, ATResult)
        case unsolicited(ATLine)
    }

    private struct InFlight: Sendable {
        let command: ATCommand
        var lines: [ATLine] = []
        var pduSent = false
    }

    private var queue: [ATCommand] = []
    private var inFlight: InFlight?
    public static let ctrlZ: UInt8 = 0x1A

    public init() {}

    /// The command waiting for its answer, if any.
    public var pendingCommand: ATCommand? { inFlight?.command }
    public var queuedCount: Int { queue.count }

    public mutating func enqueue(_ command: ATCommand) -> [Output] {
        queue.append(command)
        return startNextIfIdle()
    }

    public mutating func receive(line raw: String) -> [Output] {
        let line = ATLine.parse(raw)
        guard var current = inFlight else {
            if case .text(let text) = line, text.isEmpty { return [] }
            return [.unsolicited(line)]
        }
        if Self.isUnsolicited(line, during: current.command) { return [.unsolicited(line)] }
        if case .text(let text) = line, text == current.command.text { return [] } // echo before ATE0
        if line == .prompt {
            guard let pdu = current.command.pduAfterPrompt, !current.pduSent else { return [] }
            current.pduSent = true
            inFlight = current
            return [.write(Array(pdu.utf8) + [Self.ctrlZ])]
        }
        guard line.isFinalResult else {
            current.lines.append(line)
            inFlight = current
            return []
        }
        inFlight = nil
        let result: ATResult = switch line {
        case .ok: .ok(current.lines)
        case .cmeError(let detail): .failed(.equipment(detail))
        case .cmsError(let detail): .failed(.messageService(detail))
        default: .failed(.error)
        }
        return [.completed(current.command, result)] + startNextIfIdle()
    }

    /// The shell's timer for the command in flight ran out. For AT+CMGS after the PDU went
    /// out, Escape aborts the modem's input mode before the next command.
    public mutating func timeout() -> [Output] {
        guard let current = inFlight else { return [] }
        inFlight = nil
        var outputs: [Output] = []
        if current.command.pduAfterPrompt != nil { outputs.append(.write([0x1B])) }
        outputs.append(.completed(current.command, .failed(.timeout)))
        return outputs + startNextIfIdle()
    }

    /// Fails everything in flight and queued (port reopened, modem restarted).
    public mutating func reset() -> [Output] {
        let pending = (inFlight.map { [$0.command] } ?? []) + queue
        inFlight = nil
        queue.removeAll()
        return pending.map { .completed($0, .failed(.cancelled)) }
    }

    private mutating func startNextIfIdle() -> [Output] {
        guard inFlight == nil, !queue.isEmpty else { return [] }
        let next = queue.removeFirst()
        inFlight = InFlight(command: next)
        return [.write(next.bytes)]
    }

    /// +CMTI is always unsolicited; +CREG only when we did not ask for it.
    private static func isUnsolicited(_ line: ATLine, during command: ATCommand) -> Bool {
        switch line {
        case .newMessage: true
        case .registration: !command.text.hasPrefix("AT+CREG")
        case .text(let text): text == "RING" || text.hasPrefix("+CDSI:") || text.hasPrefix("+CMT:")
        default: false
        }
    }
}
