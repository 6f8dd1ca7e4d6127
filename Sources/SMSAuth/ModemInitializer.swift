/// The modem's start-up sequence as a pure state machine: ATE0, AT+CMEE=2, AT+CPIN? (and
/// the SIM PIN when asked), AT+CMGF=0, AT+CNMI, AT+CPMS. The SIM PIN is entered at most
/// once per start: a wrong PIN retried automatically would lock the SIM (PUK).
public struct ModemInitializer: Sendable {
    public enum Step: Sendable, Equatable {
        case send(ATCommand)
        case ready
        case failed(ModemInitError)
    }

    private enum Stage: Sendable {
        case start, echoOff, verboseErrors, pinQuery, pinEntered, pinRequery, pduMode, indications, storage, done
    }

    private let simPIN: String?
    private var stage: Stage = .start

    public init(simPIN: String?) {
        self.simPIN = simPIN
    }

    /// The next step, given the result of the previous command (nil for the first call).
    public mutating func next(after result: ATResult?) -> Step {
        switch stage {
        case .start:
            stage = .echoOff
            return .send(.echoOff)
        case .echoOff:
            return advance(result, to: .verboseErrors, sending: .verboseErrors, failing: .noResponse)
        case .verboseErrors:
            return advance(result, to: .pinQuery, sending: .pinStatus, failing: .commandRejected("AT+CMEE=2"))
        case .pinQuery, .pinRequery:
            return handlePINState(result)
        case .pinEntered:
            guard case .ok = result else { return fail(.simPINRejected) }
            stage = .pinRequery
            return .send(.pinStatus)
        case .pduMode:
            return advance(result, to: .indications, sending: .newMessageIndications, failing: .commandRejected("AT+CMGF=0"))
        case .indications:
            return advance(result, to: .storage, sending: .simStorage, failing: .commandRejected("AT+CNMI"))
        case .storage:
            guard case .ok = result else { return fail(.commandRejected("AT+CPMS")) }
            stage = .done
            return .ready
        case .done:
            return .ready
        }
    }

    private mutating func handlePINState(_ result: ATResult?) -> Step {
        guard case .ok(let lines)? = result else {
            if case .failed(.equipment(let detail))? = result, detail.text.localizedCaseInsensitiveContains("not inserted") || detail.code == 10 {
                return fail(.simMissing)
            }
            return fail(.commandRejected("AT+CPIN?"))
        }
        let state = lines.compactMap { line -> String? in
            if case .pinState(let state) = line { return state }
            return nil
        }.first ?? ""
        switch state {
        case "READY":
            stage = .pduMode
            return .send(.pduMode)
        case "SIM PIN":
            guard stage == .pinQuery else { return fail(.simPINRejected) }
            guard let simPIN, !simPIN.isEmpty else { return fail(.simPINRequired) }
            stage = .pinEntered
            return .send(.enterPIN(simPIN))
        case "SIM PUK":
            return fail(.simPUKRequired)
        default:
            return fail(.unexpectedSIMState(state))
        }
    }

    private mutating func advance(_ result: ATResult?, to stage: Stage, sending command: ATCommand, failing error: ModemInitError) -> Step {
        guard case .ok = result else { return fail(error) }
        self.stage = stage
        return .send(command)
    }

    private mutating func fail(_ error: ModemInitError) -> Step {
        stage = .done
        return .failed(error)
    }
}

public enum ModemInitError: Error, Sendable, Equatable, CustomStringConvertible {
    case noResponse
    case simMissing
    case simPINRequired
    case simPINRejected
    case simPUKRequired
    case unexpectedSIMState(String)
    case commandRejected(String)

    public var description: String {
        switch self {
        case .noResponse: "modem does not answer ATE0; check the serial device, baud rate and power"
        case .simMissing: "modem reports no SIM card; insert a SIM"
        case .simPINRequired: "SIM asks for a PIN but none is configured; set the SIM PIN in the site configuration or remove the PIN from the SIM"
        case .simPINRejected: "SIM rejected the configured PIN; fix the PIN before restarting, the SIM locks after three wrong PINs"
        case .simPUKRequired: "SIM is locked and needs its PUK; unlock it in a phone"
        case .unexpectedSIMState(let state): "SIM reports '\(state)'; expected READY or SIM PIN"
        case .commandRejected(let command): "modem rejected \(command); it may not support SMS in PDU mode"
        }
    }
}
